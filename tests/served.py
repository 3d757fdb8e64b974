"""The app served over real HTTP on a free port of 127.0.0.1, from a thread, for tests that
need a real server (schemathesis's engine, simultaneous sign-ins)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """Thousands of requests: none of them logged."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def served(app, *, threaded: bool = False) -> Iterator[str]:
    """The app on a free port until the block ends; its address. `threaded`: a thread per
    request, as a threaded production server answers."""
    server = make_server("127.0.0.1", 0, app, threaded=threaded, request_handler=QuietHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
