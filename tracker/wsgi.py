"""The web application for a WSGI server: `gunicorn tracker.wsgi:app` (see `make serve`).

Each gunicorn worker imports this module and builds its own app, with its own database
connections. The scheduler is not started here: run exactly one `flask --app tracker
scheduler` process beside the workers."""

from tracker import create_app

app = create_app()
