"""The importer is a pure pipeline: no Flask, no database, nothing of the app around it."""

from __future__ import annotations

import ast
from pathlib import Path

import tracker.inspections.importer as importer

ALLOWED_OWN = "tracker.inspections.importer"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "jinja2", "wtforms")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_importer_module_imports_flask_the_database_or_the_rest_of_the_app():
    folder = Path(importer.__file__).parent
    offending = {}
    for path in sorted(folder.glob("*.py")):
        bad = {
            name
            for name in imported_modules(path)
            if name.startswith(FORBIDDEN)
            or (name.startswith("tracker") and not name.startswith(ALLOWED_OWN))
        }
        if bad:
            offending[path.name] = sorted(bad)
    assert not offending
