"""gunicorn's settings for `make serve`: `gunicorn -c python:tracker.gunicorn_config`.

The number of worker processes is the tracker's `WEB_WORKERS` setting (default 2), read like
every other setting (instance/config.py, then `TRACKER_WEB_WORKERS`). The address comes from
`--bind` on the command line."""

from tracker import create_app
from tracker.settings import EXTENSION

workers = create_app().extensions[EXTENSION].web_workers
# Log each request, and errors, to standard output and error, for the service manager.
accesslog = "-"
errorlog = "-"
# gunicorn's control socket is one fixed file in the user's home: a second tracker on the same
# machine (a test instance, a benchmark) would take it over. Nothing here uses it.
control_socket_disable = True
