"""Sign-in limits hold when many attempts arrive at once: 25 simultaneous requests through a
real threaded server (on SQLite, and on PostgreSQL with `--database=postgresql`)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from tests.conftest import configure
from tests.factories import PASSWORD, UserFactory
from tests.served import served
from tracker.accounts.models import SignInEvent, SignInOutcome
from tracker.extensions import db

AT_ONCE = 25
CHECKED = (SignInOutcome.FAILED, SignInOutcome.SIGNED_IN)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def all_at_once(address: str, attempts: list[tuple[str, str]]) -> list[int]:
    """POST every (email, password) to /sign-in at the same moment; the statuses."""
    start = threading.Barrier(len(attempts))
    opener = urllib.request.build_opener(NoRedirect)

    def attempt(pair: tuple[str, str]) -> int:
        body = urllib.parse.urlencode({"email": pair[0], "password": pair[1]}).encode()
        start.wait()
        try:
            return opener.open(f"{address}/sign-in", data=body, timeout=60).status
        except urllib.error.HTTPError as answer:
            return answer.code

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def outcomes(**where) -> Counter[SignInOutcome]:
    db.session.expire_all()
    query = select(SignInEvent.outcome)
    for name, value in where.items():
        query = query.where(getattr(SignInEvent, name) == value)
    return Counter(db.session.scalars(query))


def test_twenty_five_wrong_passwords_at_once_get_at_most_five_checked(app):
    user = UserFactory(email="meg@northshire.example")
    db.session.commit()
    with served(app, threaded=True) as address:
        statuses = all_at_once(address, [(user.email, f"wrong guess {n}")
                                         for n in range(AT_ONCE)])
    assert sorted(set(statuses)) == [400]
    seen = outcomes(email=user.email)
    assert sum(seen.values()) == AT_ONCE  # every attempt is in the record
    assert sum(seen[outcome] for outcome in CHECKED) <= 5
    assert seen[SignInOutcome.LOCKED] >= AT_ONCE - 5
    assert seen[SignInOutcome.CHECKING] == 0
    # Against the account, so the sign-in record shows them.
    assert outcomes(user_id=user.id) == seen


def test_the_right_password_in_a_burst_of_wrong_ones_is_not_checked_past_the_limit(app):
    user = UserFactory(email="meg@northshire.example")
    db.session.commit()
    attempts = [(user.email, f"wrong guess {n}") for n in range(AT_ONCE - 1)]
    attempts.insert(AT_ONCE // 2, (user.email, PASSWORD))
    with served(app, threaded=True) as address:
        all_at_once(address, attempts)
    db.session.expire_all()
    events = db.session.scalars(
        select(SignInEvent).where(SignInEvent.email == user.email).order_by(SignInEvent.id)
    ).all()
    assert len(events) == AT_ONCE
    signed_in = [event.id for event in events if event.outcome is SignInOutcome.SIGNED_IN]
    failed = [event.id for event in events if event.outcome is SignInOutcome.FAILED]
    # The right password is checked only within the limit: fewer than five wrong ones were
    # checked before it; without it, no more than five.
    if signed_in:
        assert len([event_id for event_id in failed if event_id < signed_in[0]]) < 5
    else:
        assert len(failed) <= 5
    assert len(failed) <= 5 or signed_in
    assert sum(event.outcome is SignInOutcome.LOCKED for event in events) >= AT_ONCE - 10


def test_a_burst_from_one_network_gets_no_more_attempts_than_its_limit(app):
    configure(app, SIGN_IN_MAX_PER_ADDRESS=10)
    users = [UserFactory() for _ in range(AT_ONCE)]
    db.session.commit()
    with served(app, threaded=True) as address:
        statuses = all_at_once(address, [(user.email, "wrong guess") for user in users])
    assert Counter(statuses)[429] >= AT_ONCE - 10
    seen = outcomes(address="127.0.0.1")
    assert sum(seen.values()) == AT_ONCE
    assert AT_ONCE - seen[SignInOutcome.RATE_LIMITED] <= 10
