"""The one typeface of every PDF: Liberation Sans (metric-compatible with Arial), from the
files Debian's `fonts-liberation` package installs.

The files are looked for once, where Debian puts them and then through fontconfig, and
linked into a private folder that Typst is given as its only fonts, so no other font (nor
Liberation Sans Narrow, which shares the family name) can be picked on any machine.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

FAMILY = "Liberation Sans"
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")
FILE_NAMES = tuple(f"LiberationSans-{style}.ttf" for style in STYLES)
KNOWN_FOLDERS = (
    Path("/usr/share/fonts/truetype/liberation"),   # Debian, Ubuntu
    Path("/usr/share/fonts/liberation-sans"),       # Fedora
    Path("/usr/share/fonts/liberation"),
)


class FontsMissing(RuntimeError):
    """Liberation Sans is not installed: no PDF can be made."""


def _from_fontconfig() -> dict[str, Path]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return {}
    try:
        listed = subprocess.run(  # noqa: S603 (fixed arguments)
            [fc_list, "--format", "%{file}\n", FAMILY], capture_output=True, text=True,
            timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {Path(line).name: Path(line) for line in listed.splitlines() if line.strip()}


def find_font_files(folders: tuple[Path, ...] = KNOWN_FOLDERS, *,
                    ask_fontconfig: bool = True) -> tuple[Path, ...]:
    """The four Liberation Sans files (regular, bold, italic, bold italic): in the first of
    `folders` that has them all, else where fontconfig says they are.

    Raises FontsMissing, saying what to install, when any of them cannot be found."""
    for folder in folders:
        files = tuple(folder / name for name in FILE_NAMES)
        if all(path.is_file() for path in files):
            return files
    found = _from_fontconfig() if ask_fontconfig else {}
    if all(name in found and found[name].is_file() for name in FILE_NAMES):
        return tuple(found[name] for name in FILE_NAMES)
    raise FontsMissing(
        "The PDFs need the Liberation Sans font files (" + ", ".join(FILE_NAMES) + "), and "
        "they were not found: install Debian's fonts-liberation package "
        "(apt-get install fonts-liberation), or your system's equivalent.")


@cache
def font_files() -> tuple[Path, ...]:
    """This machine's Liberation Sans files, looked for once (see `find_font_files`)."""
    return find_font_files()


@cache
def font_folder() -> Path:
    """A private folder holding links to the Liberation Sans files only, for Typst."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for path in font_files():
        (folder / path.name).symlink_to(path)
    return folder
