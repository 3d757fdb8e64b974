"""The stylesheet, scripts and icon under addresses that change with their content, so a
browser keeps each for a year and asks again only when a new version is installed.

Every link to a static file made with `url_for("static", ...)` carries its content's hash
(`?v=`, the first 16 hex digits of its SHA-256). A request that names the current hash is
answered as cacheable for a year and immutable; any other (no hash, or an old one) gets the
usual short-lived, revalidated answer, so an old page never pins a new file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

YEAR_SECONDS = 365 * 24 * 60 * 60


def content_versions(folder: Path) -> dict[str, str]:
    """Each file under `folder` (its path relative to it, with forward slashes) and the hash
    of its content."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def register_static_versions(app: Flask) -> None:
    """Add the content hash to links to static files, and let browsers keep those for a year.
    The hashes are read once, when the app starts: `make assets` runs before any server."""
    versions = content_versions(Path(app.static_folder or ""))

    @app.url_defaults
    def add_content_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            version = versions.get(values.get("filename", ""))
            if version is not None:
                values["v"] = version

    @app.after_request
    def keep_versioned_files(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            if versions.get(filename) is not None and request.args.get("v") == versions[filename]:
                response.cache_control.public = True
                response.cache_control.max_age = YEAR_SECONDS
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
        return response
