"""The Word template a progress report is built on: the tracker's own, or the council's.

The tracker ships a plain committee paper (`standard-template.docx`, made by
`standard_template.py`). An administrator may upload the council's own `.docx` or `.dotx`
instead; the paper then takes its page, header, fonts and styles from it.

Which style each part of the paper uses (the rule, also shown on the settings page): for
each part there is a Word style it is normally written in (section headings in "Heading 1",
body text in "Normal" …). A style of the template based on that style whose name contains
its name ("Council Heading 1", based on Heading 1) is used first; otherwise that style itself
when the template defines it; otherwise the tracker's own, copied in. Tables use the
template's own table style (the first one it adds), else "Table Grid".

An uploaded file is untrusted. `check_template` refuses an empty or oversized file and one
that is not a Word package by its first bytes, then reads the rest in a fresh child process
(`tracker.untrusted`) with a memory and a time limit: the zip's
structure and unpacked size, its content type (a macro-enabled .docm or .dotm is refused, as
is any file carrying a macro project or ActiveX controls), links to files elsewhere, and a
trial paper made from it. A stored template is opened with `open_template`, which rewrites a
.dotx's content type in memory, keeps the page set-up, headers, footers, styles and
numbering, drops the body and anything that would make Word reach outside the file.

No Flask and no database here: `template_settings` stores a council's template.
"""

from __future__ import annotations

import copy
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from lxml import etree

from tracker import untrusted
from tracker.reports.standard_template import PATH as STANDARD_PATH

MAX_BYTES = 5 * 1024 * 1024
# XML compresses about tenfold; pictures hardly at all. A template past this is refused
# before anything in it is unpacked.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PARTS = 2_000
CHECK_SECONDS = untrusted.SECONDS

STANDARD_NAME = "Standard council paper"
STANDARD_FILENAME = "standard-template.docx"

_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"
DOCUMENT_TYPE = f"{_MAIN}.document.main+xml"
TEMPLATE_TYPE = f"{_MAIN}.template.main+xml"
_MACRO_TYPES = ("application/vnd.ms-word.document.macroEnabled.main+xml",
                "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_ATTACHED_TEMPLATE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                      "attachedTemplate")
_CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
# Relationships of the document part that only its body uses: dropped with the body.
_BODY_ONLY = re.compile(r"/(image|hyperlink|oleObject|package|chart|diagram\w*|control|aFChunk|"
                        r"subDocument|video|audio|media|comments|commentsExtended|"
                        r"commentsIds|people)$")
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class TemplateProblem(Exception):
    """A file that cannot be used as the paper's template, with what to do about it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Role:
    """A part of the paper and the Word style it is normally written in."""

    key: str
    style: str
    what: str
    kind: str = "paragraph"


ROLES = (
    Role("title", "Title", "title"),
    Role("heading1", "Heading 1", "section headings"),
    Role("heading2", "Heading 2", "item headings"),
    Role("body", "Normal", "body text"),
    Role("bullet", "List Bullet", "bulleted lists"),
    Role("caption", "Caption", "table and figure captions"),
    Role("table", "Table Grid", "tables", kind="table"),
    Role("header", "Header", "page header"),
    Role("footer", "Footer", "page footer"),
)
ROLE_BY_KEY = {role.key: role for role in ROLES}


@dataclass(frozen=True)
class TemplateCheck:
    """What checking an uploaded template found: its kind and, for each part of the paper,
    the template's style that will be used (None where the tracker's own is used)."""

    kind: str  # "docx" or "dotx"
    styles: dict[str, str | None]

    @property
    def missing(self) -> list[Role]:
        return [role for role in ROLES if not self.styles.get(role.key)]


# --- The standard template ------------------------------------------------------------------


@cache
def standard_template() -> bytes:
    """The tracker's own template, as committed."""
    return STANDARD_PATH.read_bytes()


# --- Checking an upload ---------------------------------------------------------------------


def check_template(data: bytes, filename: str) -> TemplateCheck:
    """Check an uploaded template and say which of its styles the paper will use.

    Raises TemplateProblem, whose message says what to do, for an empty file, a file over
    MAX_BYTES, anything that is not a Word document or template (an older .doc, a PDF, a
    spreadsheet), a macro-enabled file, a damaged one, and one that cannot be read within
    `tracker.untrusted`'s memory limit and CHECK_SECONDS."""
    check_before_reading(data, filename)
    return _check_in_child(data)


def check_before_reading(data: bytes, filename: str) -> None:
    """The checks of `check_template` that need no reading, told from the file's size and
    first bytes: the web request makes them before it keeps the file to be read. Raises
    TemplateProblem for an empty file, one over MAX_BYTES, an older .doc and anything that is
    not a zip package."""
    name = (filename or "").lower()
    if not data:
        raise TemplateProblem("The file is empty. Choose the council's Word template and "
                              "upload it again.")
    if len(data) > MAX_BYTES:
        raise TemplateProblem(
            f"The file is {size_words(len(data))}; a template can be at most "
            f"{size_words(MAX_BYTES)}. Remove large pictures from it, or save it without "
            "its example text, and upload it again.")
    if data[:8] == _OLE_MAGIC:
        raise TemplateProblem(
            "This is an older Word file (.doc or .dot), which cannot be used. Open it in "
            "Word, save it as a Word Template (.dotx) or Word Document (.docx), and upload "
            "that.")
    if data[:4] != b"PK\x03\x04":
        named = f"named .{name.rsplit('.', 1)[-1]} but is " if name.endswith(
            (".docx", ".dotx", ".docm", ".dotm")) else ""
        raise TemplateProblem(
            f"This file is {named}not a Word document or template. Upload the council's "
            "template as a Word Template (.dotx) or Word Document (.docx).")


def _check_in_child(data: bytes) -> TemplateCheck:
    # A fresh interpreter, not a fork of the scheduler (tracker.untrusted): it holds nothing
    # of the app's, and its limits end it, not the scheduler.
    try:
        answer = untrusted.read_untrusted("word-template", data, seconds=CHECK_SECONDS)
    except untrusted.Refused as refused:
        raise TemplateProblem(refused.message) from refused
    except untrusted.LimitReached as reached:
        raise TemplateProblem(reached.limit.words("This Word file", _OVER_A_LIMIT)) from reached
    except untrusted.ReaderFailed as error:
        raise TemplateProblem(_DAMAGED) from error
    return TemplateCheck(kind=answer["kind"], styles=answer["styles"])


_OVER_A_LIMIT = (
    "Open it in Word, remove everything but the council's styles, header and footer, save it "
    "as a Word Template (.dotx), and upload that.")
_DAMAGED = ("This file looks like a Word document but is damaged, so it cannot be used. Open "
            "it in Word, save it again as a Word Template (.dotx), and upload the new file.")


# What the reader says when its library fails on a file: in a reader that came near its memory
# limit (tracker.untrusted), the memory ran out.
DAMAGED_MESSAGES = (_DAMAGED,)


def inspect_package_as_data(data: bytes) -> dict[str, Any]:
    """`inspect_package` as plain data (JSON), for the child process that reads an upload."""
    check = inspect_package(data)
    return {"kind": check.kind, "styles": check.styles}


def inspect_package(data: bytes) -> TemplateCheck:
    """The checks of `check_template` that read the file; run in the child process."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise TemplateProblem(_DAMAGED) from error
    if len(entries) > MAX_PARTS or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise TemplateProblem(
            f"This Word file unpacks to more than {size_words(MAX_UNPACKED_BYTES)} (or has "
            "more parts than any template), so it is not read. Save the template without its "
            "example text and pictures, and upload it again.")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise TemplateProblem(
            "This is a zip file but not a Word document or template. Upload the council's "
            "template as a Word Template (.dotx) or Word Document (.docx).")
    try:
        types = etree.fromstring(archive.read("[Content_Types].xml"), _SAFE_PARSER)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError) as error:
        raise TemplateProblem(_DAMAGED) from error
    main = _main_content_type(types)
    if main in _MACRO_TYPES or any(n.lower().endswith(("vbaproject.bin", "vbadata.xml"))
                                   for n in names):
        raise TemplateProblem(
            "This Word file contains macros (a .docm or .dotm), which the tracker does not "
            "accept. Open it in Word, save it as a Word Template (.dotx), which keeps the "
            "styles and drops the macros, and upload that.")
    if main not in (DOCUMENT_TYPE, TEMPLATE_TYPE):
        raise TemplateProblem(
            "This file is not a Word document or template (it may be a spreadsheet or a "
            "presentation). Upload the council's template as a Word Template (.dotx) or Word "
            "Document (.docx).")
    if any(n.lower().startswith("word/activex/") for n in names):
        raise TemplateProblem(
            "This Word file contains ActiveX controls, which the tracker does not accept. "
            "Remove them in Word, save the template again, and upload it.")
    _refuse_outside_links(archive, names)
    try:
        document = open_template(data)
        styles = found_styles(document)
        # A trial paper: every part of the paper written in the styles it will use.
        _trial_paper(document)
    except TemplateProblem:
        raise
    except Exception as error:
        raise TemplateProblem(_DAMAGED) from error
    return TemplateCheck(kind="dotx" if main == TEMPLATE_TYPE else "docx", styles=styles)


def _main_content_type(types: Any) -> str:
    for override in types.iter(f"{{{_CONTENT_TYPES_NS}}}Override"):
        if override.get("PartName", "").lower() == "/word/document.xml":
            return override.get("ContentType", "")
    return ""


def _refuse_outside_links(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse pictures or objects linked from another computer: Word would fetch them when
    the paper is opened. Hyperlinks and the template a document was made from are allowed
    (the latter is dropped when the template is opened)."""
    for name in names:
        if not name.endswith(".rels"):
            continue
        try:
            relationships = etree.fromstring(archive.read(name), _SAFE_PARSER)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError) as error:
            raise TemplateProblem(_DAMAGED) from error
        for relationship in relationships.iter(f"{{{_REL_NS}}}Relationship"):
            if (relationship.get("TargetMode") == "External"
                    and relationship.get("Type") not in (_HYPERLINK, _ATTACHED_TEMPLATE)):
                raise TemplateProblem(
                    "This Word file links to a picture or file stored elsewhere, which Word "
                    "would fetch whenever the paper is opened. In Word, insert the picture "
                    "into the template itself (not as a link), save it, and upload it again.")


def _trial_paper(document: WordDocument) -> None:
    styles = paper_styles(document)
    for role in ROLES:
        if role.kind == "paragraph" and role.key not in ("header", "footer"):
            document.add_paragraph(f"Trial {role.what}", style=getattr(styles, role.key))
    table = document.add_table(rows=2, cols=2)
    table.style = styles.table
    for part, style in ((document.sections[-1].footer, styles.footer),
                        (document.sections[-1].header, styles.header)):
        part.add_paragraph("Trial", style=style)
    out = io.BytesIO()
    document.save(out)
    Document(io.BytesIO(out.getvalue()))


def size_words(size: int) -> str:
    megabyte = 1024 * 1024
    if size < megabyte:
        return f"{-(-size // 1024)} KB"
    value = size / megabyte
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


# --- Opening a template ---------------------------------------------------------------------


def as_document_package(data: bytes) -> bytes:
    """The package with its main part typed as a document: python-docx refuses a template's
    content type. Everything else is copied as it is, in memory."""
    source = zipfile.ZipFile(io.BytesIO(data))
    types = source.read("[Content_Types].xml")
    if TEMPLATE_TYPE.encode() not in types:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                content = content.replace(TEMPLATE_TYPE.encode(), DOCUMENT_TYPE.encode())
            target.writestr(entry, content)
    return out.getvalue()


def open_template(data: bytes | None) -> WordDocument:
    """A new document on the template (the standard one for None), its body empty: the page
    set-up, headers, footers, styles and numbering kept; anything that would make Word reach
    outside the file, ask to update fields or protect the document dropped."""
    document = Document(io.BytesIO(as_document_package(data or standard_template())))
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    if body.find(qn("w:sectPr")) is None:
        body.append(OxmlElement("w:sectPr"))
    _drop_body_relationships(document)
    _quiet_settings(document)
    return document


def _drop_body_relationships(document: WordDocument) -> None:
    part = document.part
    used = {value for element in document.element.iter()
            for name, value in element.attrib.items() if name.startswith(f"{{{_R}}}")}
    for r_id, relationship in list(part.rels.items()):
        if r_id not in used and _BODY_ONLY.search(relationship.reltype):
            part.rels.pop(r_id)


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _quiet_settings(document: WordDocument) -> None:
    settings_part = document.part._settings_part
    settings = document.settings.element
    for name in ("w:documentProtection", "w:writeProtection", "w:mailMerge",
                 "w:attachedTemplate", "w:updateFields", "w:linkStyles"):
        for element in settings.findall(qn(name)):
            settings.remove(element)
    for r_id, relationship in list(settings_part.rels.items()):
        if relationship.is_external or relationship.reltype == _ATTACHED_TEMPLATE:
            settings_part.rels.pop(r_id)


# --- Styles ---------------------------------------------------------------------------------


def _style_elements(document: WordDocument) -> list[Any]:
    return list(document.styles.element.iterchildren(qn("w:style")))


def _name(style: Any) -> str:
    element = style.find(qn("w:name"))
    return (element.get(qn("w:val")) or "") if element is not None else ""


def _ui(name: str) -> str:
    """A style's name as Word shows it and python-docx looks it up ("heading 1" is
    stored, "Heading 1" shown)."""
    return _ALIASES.get(name.lower(), name)


_ALIASES = {"caption": "Caption", "footer": "Footer", "header": "Header",
            **{f"heading {n}": f"Heading {n}" for n in range(1, 10)}}


def _chain(style: Any, by_id: dict[str, Any]) -> list[str]:
    """The style ids a style is based on, nearest first."""
    ids, seen = [], set()
    while style is not None:
        based = style.find(qn("w:basedOn"))
        parent = based.get(qn("w:val")) if based is not None else None
        if parent is None or parent in seen:
            break
        seen.add(parent)
        ids.append(parent)
        style = by_id.get(parent)
    return ids


def found_styles(document: WordDocument) -> dict[str, str | None]:
    """For each part of the paper, the name (as Word shows it) of the template's style it
    will be written in, or None when the template has none and the tracker's is used."""
    elements = _style_elements(document)
    by_id = {s.get(qn("w:styleId")): s for s in elements}
    found: dict[str, str | None] = {}
    for role in ROLES:
        kind = role.kind
        candidates = [s for s in elements if s.get(qn("w:type"), "paragraph") == kind]
        builtin = next((s for s in candidates if _name(s).lower() == role.style.lower()), None)
        chosen = None
        if kind == "table":
            chosen = next((s for s in candidates if s.get(qn("w:customStyle")) in ("1", "true")),
                          builtin)
        else:
            if builtin is not None:
                builtin_id = builtin.get(qn("w:styleId"))
                chosen = next((s for s in candidates if s is not builtin
                               and role.style.lower() in _name(s).lower()
                               and builtin_id in _chain(s, by_id)), builtin)
        found[role.key] = _ui(_name(chosen)) if chosen is not None else None
    return found


@dataclass
class PaperStyles:
    """The style names the paper is written in, and what had to be added for it."""

    title: str
    heading1: str
    heading2: str
    body: str
    bullet: str
    caption: str
    table: str
    header: str
    footer: str
    # Where the bullet style does not number its paragraphs itself: the list to put them in.
    bullet_list: str | None = None
    added: list[str] = field(default_factory=list)


@cache
def _standard_styles() -> dict[str, Any]:
    with zipfile.ZipFile(STANDARD_PATH) as package:
        root = etree.fromstring(package.read("word/styles.xml"), _SAFE_PARSER)
    return {_name(s).lower(): s for s in root.iterchildren(qn("w:style"))}


def paper_styles(document: WordDocument) -> PaperStyles:
    """The style of each part of the paper in this document, copying the tracker's own into
    it where the template has none (without its numbering: the paper then types numbers)."""
    found = found_styles(document)
    names: dict[str, str] = {}
    added: list[str] = []
    for role in ROLES:
        name = found[role.key]
        if name is None:
            name = _copy_standard_style(document, role)
            added.append(role.key)
        names[role.key] = name
    styles = PaperStyles(**names, added=added)
    if _numbering_reference(document, styles.bullet) is None:
        styles.bullet_list = _add_bullet_list(document)
    return styles


def _copy_standard_style(document: WordDocument, role: Role) -> str:
    ours = copy.deepcopy(_standard_styles()[role.style.lower()])
    for properties in ours.iter(qn("w:pPr")):
        for numbering in properties.findall(qn("w:numPr")):
            properties.remove(numbering)
    existing = {s.get(qn("w:styleId")) for s in _style_elements(document)}
    style_id = ours.get(qn("w:styleId"))
    while style_id in existing:
        style_id = "Tracker" + style_id
    ours.set(qn("w:styleId"), style_id)
    for reference in ("w:basedOn", "w:next"):
        element = ours.find(qn(reference))
        if element is not None and element.get(qn("w:val")) not in existing:
            ours.remove(element)
    document.styles.element.append(parse_xml(etree.tostring(ours)))
    return _ui(_name(ours))


# --- Numbering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListLevel:
    """Where a style's paragraphs are numbered: list (numId) and level, and the list's
    levels' label patterns ("%1.%2"), starts and formats."""

    num_id: str
    level: int
    patterns: dict[int, str]
    starts: dict[int, int]
    formats: dict[int, str]


def _style_by_name(document: WordDocument, name: str) -> Any:
    for style in _style_elements(document):
        if _ui(_name(style)).lower() == name.lower():
            return style
    return None


def _numbering_reference(document: WordDocument, style_name: str) -> tuple[str, int] | None:
    """The list (numId) and level a paragraph style numbers its paragraphs in, if any,
    following the styles it is based on."""
    style = _style_by_name(document, style_name)
    by_id = {s.get(qn("w:styleId")): s for s in _style_elements(document)}
    level: int | None = None
    while style is not None:
        properties = style.find(qn("w:pPr"))
        numbering = properties.find(qn("w:numPr")) if properties is not None else None
        if numbering is not None:
            if level is None and (ilvl := numbering.find(qn("w:ilvl"))) is not None:
                level = int(ilvl.get(qn("w:val"), "0"))
            num = numbering.find(qn("w:numId"))
            if num is not None:
                num_id = num.get(qn("w:val"), "0")
                return (None if num_id == "0" else (num_id, level or 0))
        based = style.find(qn("w:basedOn"))
        style = by_id.get(based.get(qn("w:val"))) if based is not None else None
    return None


def list_level(document: WordDocument, style_name: str) -> ListLevel | None:
    """How the style numbers its paragraphs, or None when it does not."""
    reference = _numbering_reference(document, style_name)
    if reference is None:
        return None
    num_id, level = reference
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None
    num = next((n for n in numbering.iterchildren(qn("w:num"))
                if n.get(qn("w:numId")) == num_id), None)
    if num is None:
        return None
    abstract_id = num.find(qn("w:abstractNumId"))
    abstract = next((a for a in numbering.iterchildren(qn("w:abstractNum"))
                     if abstract_id is not None
                     and a.get(qn("w:abstractNumId")) == abstract_id.get(qn("w:val"))), None)
    if abstract is None:
        return None
    patterns, starts, formats = {}, {}, {}
    for lvl in abstract.iterchildren(qn("w:lvl")):
        index = int(lvl.get(qn("w:ilvl"), "0"))
        text, start, fmt = lvl.find(qn("w:lvlText")), lvl.find(qn("w:start")), lvl.find(
            qn("w:numFmt"))
        patterns[index] = text.get(qn("w:val"), "") if text is not None else ""
        starts[index] = int(start.get(qn("w:val"), "1")) if start is not None else 1
        formats[index] = fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal"
    for override in num.iterchildren(qn("w:lvlOverride")):
        start = override.find(qn("w:startOverride"))
        if start is not None:
            starts[int(override.get(qn("w:ilvl"), "0"))] = int(start.get(qn("w:val"), "1"))
    if level not in patterns:
        return None
    return ListLevel(num_id, level, patterns, starts, formats)


_PLACEHOLDER = re.compile(r"%([1-9])")


def word_labels(paragraphs: list[ListLevel]) -> list[str | None]:
    """The labels Word puts before each of these numbered paragraphs, in order: a level's
    count goes up by one for each paragraph at it and starts again after a paragraph at a
    higher level. None where a label is not made of decimal numbers."""
    counts: dict[str, dict[int, int]] = {}
    labels: list[str | None] = []
    for paragraph in paragraphs:
        count = counts.setdefault(paragraph.num_id, {})
        count[paragraph.level] = count.get(paragraph.level,
                                           paragraph.starts.get(paragraph.level, 1) - 1) + 1
        for deeper in [level for level in count if level > paragraph.level]:
            del count[deeper]
        pattern = paragraph.patterns[paragraph.level]
        used = [int(n) - 1 for n in _PLACEHOLDER.findall(pattern)]
        if any(paragraph.formats.get(level, "decimal") != "decimal" for level in used):
            labels.append(None)
            continue
        labels.append(_PLACEHOLDER.sub(
            lambda found, count=count, paragraph=paragraph: str(count.get(
                int(found[1]) - 1, paragraph.starts.get(int(found[1]) - 1, 1))), pattern))
    return labels


def numbered_headings(document: WordDocument, styles: PaperStyles,
                      planned: list[tuple[str, str]]) -> set[str]:
    """Which heading parts ("heading1", "heading2") take their numbers from the template's
    list: those whose style numbers its paragraphs and gives every one of `planned`
    ((part, number) of each numbered heading, in order) exactly its number. Others type
    their numbers, so the Word file always carries the paper's own numbers."""
    levels = {key: list_level(document, getattr(styles, key)) for key in ("heading1",
                                                                          "heading2")}
    candidates = [key for key, level in levels.items() if level is not None]
    for count in range(len(candidates), 0, -1):
        for chosen in itertools.combinations(candidates, count):
            sequence = [(key, number) for key, number in planned if key in chosen]
            labels = word_labels([levels[key] for key, _ in sequence])  # type: ignore[misc]
            if all(label is not None and label.rstrip(". ") == number.rstrip(". ")
                   for label, (_key, number) in zip(labels, sequence, strict=True)):
                return set(chosen)
    return set()


def _add_bullet_list(document: WordDocument) -> str:
    """A bullet list added to the document's numbering, for a bullet style without one."""
    numbering = document.part.numbering_part.element
    abstract_ids = [int(a.get(qn("w:abstractNumId"), "0"))
                    for a in numbering.iterchildren(qn("w:abstractNum"))]
    num_ids = [int(n.get(qn("w:numId"), "0")) for n in numbering.iterchildren(qn("w:num"))]
    abstract_id, num_id = max(abstract_ids, default=0) + 1, max(num_ids, default=0) + 1
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    abstract = parse_xml(
        f'<w:abstractNum xmlns:w="{w}" w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="bullet"/><w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="357" w:hanging="357"/></w:pPr></w:lvl></w:abstractNum>')
    num = parse_xml(f'<w:num xmlns:w="{w}" w:numId="{num_id}">'
                    f'<w:abstractNumId w:val="{abstract_id}"/></w:num>')
    # Abstract definitions come before the lists that use them.
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return str(num_id)
