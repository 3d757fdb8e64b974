"""Kept pages: a page someone has just seen is kept and shown again until anything changes.

Reading far outnumbers writing in the tracker: a committee member rereads the report, a
manager comes back to the dashboard. Working a page out again costs 10 to 300 ms at a large
county's scale (RAG across every item, a report's whole content); showing a kept copy costs
about a millisecond.

What keeps it correct:
- **Any change anywhere starts afresh.** Every database connection notes when it runs an
  INSERT, UPDATE or DELETE that touches a row, and the commit that saves that work also gives
  the database a new random stamp (table `data_stamp`), in the same transaction. This is
  done on the connection, below the application, so no write can forget it: web requests,
  the scheduler's jobs, the reminder job's own connection, the command line. A kept page
  belongs to one stamp; every request reads the stamp first, so a page from before a change
  is never shown after it.
- **Bookkeeping is not data.** The scheduler's job lock (`job_lock`), written by every job
  run, evidence packs and their progress (`evidence_pack`) and a token's last use
  (`access_token.last_used_at`) show on no kept page; writes to them alone leave the stamp
  as it is.
- **Per person, per address, per day.** The key also holds who is signed in, the full address
  with its query, and today's date (overdue and RAG depend on it).
- **The form token is the reader's own.** Forms carry a CSRF token tied to the session; the
  kept copy is cut where it stood, and the reader's current token is put back on the way out.
- **Never a message twice.** A request with a message waiting to be shown ("Action updated")
  is neither answered from, nor kept in, the store.
- **Access is checked first.** `@kept` goes under `@allow`, so the role check runs on every
  request; object checks ran when the page was first made for that same person, and any change
  to a person or an object changes the stamp.

Each web process keeps its own pages, up to `KEPT_PAGES_MB` megabytes (0 turns keeping off),
least recently used first out.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, make_response, request, session
from flask.globals import request_ctx
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import String, event, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column

from tracker import clock
from tracker.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Bookkeeping shown on no kept page, so a write to it alone is not a change of data: the
# scheduler's job lock, written by every job run (the report queue's every 5 seconds would
# otherwise make every page be worked out again), an evidence pack's progress, committed for
# each item printed, and a token's last use, noted hourly for each calendar and API client.
BOOKKEEPING = re.compile(
    r'\s*(?:(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:job_lock|evidence_pack)\b'
    r'|UPDATE\s+"?access_token"?\s+SET\s+last_used_at\s*=[^,]*\sWHERE\b)', re.I)
STAMP_ROW = 1
_BUMP = text("UPDATE data_stamp SET stamp = :stamp WHERE id = :row")


class DataStamp(db.Model):
    """One row: a random value that changes with every committed change to the data."""

    __tablename__ = "data_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


def new_stamp() -> str:
    """A value never seen before, so a restored backup cannot bring back an old stamp."""
    return secrets.token_hex(16)


def watch_writes(engine: Engine) -> None:
    """Give the database a new stamp in every transaction that wrote something.

    Connections marked `connection.info["migrating"]` (Alembic's, in migrations/env.py) are
    left alone: the stamp table may not exist yet, and every process restarts after a
    migration anyway."""

    @event.listens_for(engine, "after_cursor_execute")
    def note_write(conn: Connection, cursor: Any, statement: str, parameters: Any,
                   context: Any, executemany: bool) -> None:
        # A compiled statement says what it is, a WITH ... INSERT included; text is read.
        compiled_write = context is not None and (
            context.isinsert or context.isupdate or context.isdelete)
        if not (compiled_write or statement.lstrip()[:7].upper().startswith(WRITES)):
            return
        # A write that touched no row changed nothing (the report queue clears old draft
        # files every few seconds, mostly finding none); -1 is a driver that cannot tell.
        # With RETURNING, SQLite counts rows only as they are fetched: 0 here says nothing.
        touched_none = cursor.rowcount == 0 and "RETURNING" not in statement.upper()
        if not touched_none and not BOOKKEEPING.match(statement):
            conn.info["wrote"] = True

    @event.listens_for(engine, "commit")
    def change_stamp(conn: Connection) -> None:
        if conn.info.pop("wrote", False) and not conn.info.get("migrating"):
            conn.execute(_BUMP, {"stamp": new_stamp(), "row": STAMP_ROW})
            conn.info.pop("wrote", None)  # noted by the UPDATE just made: not a change of data

    @event.listens_for(engine, "rollback")
    def forget_write(conn: Connection) -> None:
        conn.info.pop("wrote", None)


def current_stamp() -> str | None:
    """The database's stamp now; None when it has none (keeping is then off)."""
    return db.session.scalar(select(DataStamp.stamp).where(DataStamp.id == STAMP_ROW))


# A kept page: its bytes, cut where the form token goes.
KeptPage = tuple[bytes, ...]


class PageStore:
    """The pages one web process keeps, newest use last, within a size in bytes."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._pages: OrderedDict[tuple[Any, ...], KeptPage] = OrderedDict()
        self._lock = threading.Lock()  # `flask run` serves requests on threads

    def get(self, key: tuple[Any, ...]) -> KeptPage | None:
        """The kept page for `key`, if any, marking it as just used."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: tuple[Any, ...], page: KeptPage) -> None:
        """Keep `page`, dropping the least recently used pages to stay within the limit."""
        size = sum(map(len, page))
        if size > self.limit_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= sum(map(len, old))
            self._pages[key] = page
            self.size += size
            while self.size > self.limit_bytes:
                _, dropped = self._pages.popitem(last=False)
                self.size -= sum(map(len, dropped))

    def __len__(self) -> int:
        return len(self._pages)


def set_up(app: Flask) -> None:
    """Watch the app's database for writes and give the app its page store."""
    limit = int(float(app.config.get("KEPT_PAGES_MB", 32)) * 1024 * 1024)
    app.extensions["kept_pages"] = PageStore(limit) if limit > 0 else None
    with app.app_context():
        watch_writes(db.engine)


def store() -> PageStore | None:
    """This process's page store, or None when keeping is turned off."""
    return current_app.extensions.get("kept_pages")


def _key(stamp: str, today: date) -> tuple[Any, ...]:
    return (stamp, today, current_user.get_id(), request.full_path)


def _messages_shown() -> bool:
    # Flask keeps the messages a page has shown on the request context.
    return bool(getattr(request_ctx, "flashes", None))


def kept(view: F) -> F:
    """Keep the page this GET view makes, and show the kept copy until anything changes.

    Put it under `@allow(...)`. Only for pages whose content depends on nothing but the
    database, the person, the address and the date."""

    @wraps(view)
    def show(*args: Any, **kwargs: Any) -> Any:
        pages = store()
        if (pages is None or request.method != "GET" or not current_user.is_authenticated
                or session.get("_flashes")):
            return view(*args, **kwargs)
        stamp = current_stamp()
        if stamp is None:
            return view(*args, **kwargs)
        key = _key(stamp, clock.today())
        page = pages.get(key)
        if page is not None:
            # Kept as bytes: showing it again neither searches nor encodes the whole page.
            body = page[0] if len(page) == 1 else generate_csrf().encode().join(page)
            return Response(body, mimetype="text/html")
        response = make_response(view(*args, **kwargs))
        if (response.status_code == 200 and response.mimetype == "text/html"
                and not response.direct_passthrough and not _messages_shown()):
            body = response.get_data()
            token = g.get("csrf_token")
            pages.put(key, tuple(body.split(token.encode())) if token else (body,))
        return response

    return show  # type: ignore[return-value]
