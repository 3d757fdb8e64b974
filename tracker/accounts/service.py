"""People: creating accounts, roles, deactivation and signing in."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from tracker.accounts.models import Council, Role, SignInOutcome, User, shown_name
from tracker.db import utcnow
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.pagination import PER_PAGE, Page, fetch_page

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
MIN_PASSWORD_SCORE = 3
# The same words whether the address is in this council or another: nothing about other
# councils' people is revealed. Addresses stay unique across the whole service.
ADDRESS_IN_USE = "This address cannot be used here; ask the person which address to use"
_UNUSED_HASH = generate_password_hash("an address that has no account")


def normalise_email(email: str) -> str:
    """Addresses are compared without case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account for an address, whatever its case."""
    return db.session.scalars(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).first()


def check_password_rules(password: str, *, user_inputs: list[str] | None = None) -> None:
    """RuleBroken unless the password is long enough and hard to guess.

    At least 12 characters; none of the person's own name, email address or council
    (`user_inputs`, words of four letters or more); and zxcvbn's estimate must reach 3 of 4:
    it knows the 30,000 commonest passwords, common words and names, keyboard patterns, dates
    and repeats.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleBroken(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long",
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise RuleBroken(f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer",
                         field="password")
    words = [word.lower() for value in (user_inputs or [])
             for word in value.replace("@", " ").replace(".", " ").split()]
    own = next((word for word in words if len(word) >= 4 and word in password.lower()), None)
    if own is not None:
        raise RuleBroken("The password must not contain the person's name, email address or "
                         "council", field="password")
    estimate = zxcvbn(password, user_inputs=words[:20])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        warning = estimate["feedback"]["warning"]
        reason = f"{warning.rstrip('.')}. " if warning else "It would be easy to guess. "
        raise RuleBroken(
            f"Choose a password that is harder to guess. {reason}Three or four unrelated "
            f"words make a strong password that is easy to remember.", field="password")


def create_user(
    *,
    council: Council,
    email: str,
    name: str,
    role: Role,
    password: str | None,
    job_title: str = "",
    organisation: str = "",
    telephone: str = "",
) -> User:
    """Add a person to the council. Without a password, they cannot sign in until one is set."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise RuleBroken(ADDRESS_IN_USE, field="email")
    # Checked before the User exists: a refused password must leave nothing in the session.
    if password is not None:
        check_password_rules(password, user_inputs=[name, email, council.name])
    user = User(
        council=council,
        email=email,
        name=name.strip(),
        role=role,
        job_title=job_title.strip(),
        organisation=organisation.strip(),
        telephone=telephone.strip(),
        active=True,
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def check_sign_in(email: str, password: str) -> tuple[User | None, bool]:
    """The account for the address (None if there is none) and whether the pair signs in:
    the password is right and the account active.

    A password hash is checked whatever the account (none, deactivated, without a password),
    so every answer takes the same time and timing does not reveal who has an account."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_UNUSED_HASH, password)
        return user, False
    right = user.check_password(password)
    return user, right and user.active


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user, signs_in = check_sign_in(email, password)
    return user if signs_in else None


def _active_admins(council_id: int) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.council_id == council_id, User.role == Role.ADMIN, User.active.is_(True)
        )
    ) or 0


def end_all_access(user: User, *, actor: User, now: datetime) -> None:
    """End for good everything that lets `user` in without typing their password: every
    signed-in session, calendar and API token, partner link sent to them, and password reset
    link. Nothing comes back if the person is reactivated: they sign in again, and make new
    tokens or are sent new links. For deactivation, an administrator's "end their access"
    and anonymising a person who has left. Flushes; the caller commits."""
    from tracker.access.models import AccessToken
    from tracker.accounts.passwords import end_reset_links
    from tracker.accounts.sessions import end_sessions
    from tracker.partners.service import revoke_links_sent_to

    end_sessions(user, now=now)
    db.session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))
    end_reset_links(user, now=now)
    revoke_links_sent_to(user, actor=actor, now=now, why="the recipient's access was ended")
    db.session.flush()


def end_sessions_of(user: User, *, actor: User, now: datetime, address: str,
                    keep: str | None = None) -> int:
    """An administrator signs `user` out everywhere (but the administrator's own session
    `keep`, when they sign themselves out elsewhere); recorded in the sign-in record. How many
    sessions were ended."""
    from tracker.accounts.sessions import end_sessions
    from tracker.accounts.signin import record

    ended = end_sessions(user, now=now, keep=keep)
    record(SignInOutcome.SESSIONS_ENDED, email=user.email, user=user, address=address, now=now)
    return ended


def change_user(
    user: User,
    *,
    actor: User,
    name: str,
    job_title: str,
    organisation: str,
    telephone: str,
    role: Role,
    active: bool,
    now: datetime | None = None,
    keep_session: str | None = None,
) -> None:
    """Change someone's details, role or whether they can sign in.

    The council always keeps one active administrator, so nobody locks everyone out. Text
    comes stripped of the spaces around it (the form strips it). A new role ends the person's
    sessions (but `keep_session`, the actor's own when they change themselves), so they sign
    in again with what the role allows; deactivating ends all their access for good
    (`end_all_access`).
    """
    if user.anonymised_at is not None:
        raise RuleBroken("An anonymised person's details cannot be changed, and they cannot "
                         "sign in again")
    keeps_admin = role is Role.ADMIN and active
    losing_admin = user.role is Role.ADMIN and user.active and not keeps_admin
    if losing_admin and _active_admins(user.council_id) <= 1:
        # Which choice to point at: the role, or (still an administrator) being deactivated.
        raise RuleBroken("The council must keep at least one active administrator",
                         field="status" if role is Role.ADMIN else "role")
    now = now or utcnow()
    if user.active and not active:
        end_all_access(user, actor=actor, now=now)
    elif role is not user.role:
        from tracker.accounts.sessions import end_sessions

        end_sessions(user, now=now, keep=keep_session)
    user.name = name
    user.job_title = job_title
    user.organisation = organisation
    user.telephone = telephone
    user.role = role
    user.active = active
    db.session.flush()


def get_or_create_council(name: str) -> Council:
    """The council of that name, created if it is new."""
    council = db.session.scalars(select(Council).where(Council.name == name)).first()
    if council is None:
        council = Council(name=name)
        db.session.add(council)
        db.session.flush()
    return council


def users_of_council(council_id: int, *, active_only: bool = False) -> list[User]:
    """The council's users by name."""
    query = select(User).where(User.council_id == council_id).order_by(User.name, User.id)
    if active_only:
        query = query.where(User.active.is_(True))
    return list(db.session.scalars(query))


def names_of_council_users(council_id: int) -> list[tuple[int, str]]:
    """Each of the council's users as (id, name as shown: partners with their organisation),
    by name: plain columns for a list to choose from, no user loaded."""
    return [(user_id, shown_name(name, organisation))
            for user_id, name, organisation in db.session.execute(
                _names_of_council_users(), {"council_id": council_id})]


@cache
def _names_of_council_users() -> Select[tuple[int, str, str]]:
    """`names_of_council_users`'s statement, built once (`council_id` bound): the items
    list's filter reads it on every request."""
    return (select(User.id, User.name, User.organisation)
            .where(User.council_id == bindparam("council_id")).order_by(User.name, User.id))


def users_page(council_id: int, *, page: int, per_page: int = PER_PAGE) -> Page[User]:
    """One page of the council's users by name."""
    query = select(User).where(User.council_id == council_id).order_by(User.name, User.id)
    return fetch_page(query, page=page, per_page=per_page)


def get_user(council_id: int, user_id: int) -> User | None:
    """One user of the council, or None."""
    return db.session.scalars(
        select(User).where(User.council_id == council_id, User.id == user_id)
    ).first()


def check_email_address(email: str) -> None:
    """An address must look deliverable (name@example.com); DNS is never consulted."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise RuleBroken(
            "Enter an email address in the correct format, like name@example.com",
            field="email",
        ) from error


# The longest text each column holds; forms and the command line keep to the same limits.
USER_TEXT_LIMITS = {
    "name": ("Full name", 120),
    "email": ("Email address", 254),
    "job_title": ("Job title", 120),
    "organisation": ("Organisation", 120),
    "telephone": ("Telephone number", 40),
}


def check_user_details(
    *,
    name: str,
    email: str,
    job_title: str = "",
    organisation: str = "",
    telephone: str = "",
) -> None:
    """The checks a form makes, for callers without one (the `create-user` command)."""
    if not name.strip():
        raise RuleBroken("Enter the person's full name", field="name")
    if not email.strip():
        raise RuleBroken("Enter an email address", field="email")
    values = {
        "name": name,
        "email": email,
        "job_title": job_title,
        "organisation": organisation,
        "telephone": telephone,
    }
    for field, (label, limit) in USER_TEXT_LIMITS.items():
        if len(values[field].strip()) > limit:
            raise RuleBroken(f"{label} must be {limit} characters or fewer", field=field)
    check_email_address(email)


COUNCIL_NAME_LIMIT = 200


def all_councils() -> list[Council]:
    """Every council in the database, by name."""
    return list(db.session.scalars(select(Council).order_by(Council.name)))


def council_for_new_user(name: str | None) -> Council:
    """The council a new account joins, for the `create-user` command.

    A named council is used if it exists; on an empty database it is created. With no name,
    the only council is used. Anything else is ambiguous, so it is refused.
    """
    councils = all_councils()
    if name is not None and name.strip():
        name = name.strip()
        for council in councils:
            if council.name == name:
                return council
        if not councils:
            if len(name) > COUNCIL_NAME_LIMIT:
                raise RuleBroken(
                    f"The council's name must be {COUNCIL_NAME_LIMIT} characters or fewer",
                    field="council",
                )
            return get_or_create_council(name)
        raise RuleBroken(
            f"There is no council called {name!r}. Councils: "
            + ", ".join(c.name for c in councils),
            field="council",
        )
    if len(councils) == 1:
        return councils[0]
    if not councils:
        raise RuleBroken(
            "There is no council yet: give its name with --council", field="council"
        )
    raise RuleBroken(
        "Choose the council with --council: " + ", ".join(c.name for c in councils),
        field="council",
    )
