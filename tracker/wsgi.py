"""The web application for a WSGI server: `gunicorn tracker.wsgi:app` (see `make serve`).

gunicorn's master imports this module once and forks its workers from it
(tracker/gunicorn_config.py); each worker opens its own database connections. The scheduler
is not started here: run exactly one `flask --app tracker scheduler` process beside the
workers."""

from tracker import create_app

app = create_app()
