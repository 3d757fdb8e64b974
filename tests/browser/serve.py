"""Start `flask --app tracker ARGS…` as if it were another moment, for the browser journey.

`python tests/browser/serve.py 2026-12-02T09:00:00+00:00 run --port 5123` serves the app
with the clock set to that moment and running on from there (time-machine, ticking), so a
journey can let ten days pass between its steps. "now" keeps the real clock.
"""

from __future__ import annotations

import sys
from datetime import datetime


def main() -> None:
    moment, *arguments = sys.argv[1:]
    if moment != "now":
        import time_machine

        time_machine.travel(datetime.fromisoformat(moment), tick=True).start()
    from flask.cli import main as flask_main

    sys.argv = ["flask", "--app", "tracker", *arguments]
    flask_main()


if __name__ == "__main__":
    main()
