"""gunicorn's settings for `make serve`: `gunicorn -c python:tracker.gunicorn_config`.

The number of worker processes is the tracker's `WEB_WORKERS` setting (default 2), read like
every other setting (instance/config.py, then `TRACKER_WEB_WORKERS`); each serves `WEB_THREADS`
requests at once (default 8) in threads (gunicorn's gthread worker), so a request waiting on
an upload's reader (a child process of its own, `tracker.untrusted`) or a slow client holds
one thread, not a whole worker. The address comes from `--bind` on the command line."""

from tracker import create_app
from tracker.settings import EXTENSION

_settings = create_app().extensions[EXTENSION]
workers = _settings.web_workers
worker_class = "gthread"
threads = _settings.web_threads
# Log each request, and errors, to standard output and error, for the service manager.
accesslog = "-"
errorlog = "-"
# gunicorn's control socket is one fixed file in the user's home: a second tracker on the same
# machine (a test instance, a benchmark) would take it over. Nothing here uses it.
control_socket_disable = True
