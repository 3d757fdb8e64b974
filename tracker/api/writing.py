"""How the API writes JSON: the same bytes for the same data, and safe beside HTML."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

# Characters that mean something to HTML, written as JSON escapes: the JSON is the same to
# any JSON reader, and user text in it ("</script>") can never be read as markup by a browser
# that guesses a type or by a page that embeds the JSON.
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def to_json(data: Any) -> str:
    """The API's JSON: ASCII only (so U+2028 and the like are escaped too), keys sorted, and
    no character that HTML gives a meaning to."""
    return json.dumps(data, ensure_ascii=True, sort_keys=True,
                      separators=(",", ":")).translate(_HTML_SAFE)


def json_response(data: Any, status: int = 200, mimetype: str = "application/json"
                  ) -> Response:
    """A response whose body is `to_json(data)`."""
    return Response(to_json(data) + "\n", status=status, mimetype=mimetype)
