"""gunicorn's settings for `make serve`: `gunicorn -c python:tracker.gunicorn_config`.

The number of worker processes is the tracker's `WEB_WORKERS` setting (default 2), read like
every other setting (instance/config.py, then `TRACKER_WEB_WORKERS`); each serves `WEB_THREADS`
requests at once (default 1) in threads (gunicorn's gthread worker, whose poller keeps idle
keep-alive connections without holding a thread). One is enough because no request waits for
slow work: an uploaded file is read by the scheduler (tracker.uploads), not while its request
waits; and more threads cost CPU under load (the GIL passed between them at each SQL
statement). Put a proxy that buffers request bodies (nginx, docs/deploying.md) in front, so a
slow client does not hold a worker while it sends a file. The address comes from `--bind` on
the command line.

The app is loaded once, in the master, before the workers are forked (`preload_app`), and its
objects are then moved out of the garbage collector's sight (`gc.freeze`): every full
collection in a worker would otherwise walk the whole loaded app (SQLAlchemy's mappers,
compiled templates, the password checker's word lists), and touching those objects would copy
the master's memory into each worker."""

import ctypes
import ctypes.util
import gc

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

preload_app = True

# glibc's malloc: M_MMAP_THRESHOLD. Left to itself, glibc raises the size from which a buffer
# is given its own mapping each time such a buffer is freed, up to 32 MB; after one large page
# (a large committee's prepared draft is 3.4 MB) buffers of that size then come from the heap
# of the thread that asked, and stay counted in the worker's memory when freed. Fixed at its
# default of 128 KB, they are given back to the system when freed.
MMAP_THRESHOLD_OPTION = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def _give_large_buffers_back() -> None:
    """Fix glibc's mmap threshold in the master, before the workers are forked (they inherit
    it); nothing on a system without glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    libc = ctypes.CDLL(name)
    if hasattr(libc, "mallopt"):
        libc.mallopt(MMAP_THRESHOLD_OPTION, MMAP_THRESHOLD_BYTES)


_give_large_buffers_back()


def when_ready(server) -> None:  # noqa: ANN001 - gunicorn's hook
    """The app is loaded and no worker is forked yet: freeze what is alive now."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:  # noqa: ANN001 - gunicorn's hooks
    """A worker never uses a database connection the master opened while loading the app."""
    from tracker.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
