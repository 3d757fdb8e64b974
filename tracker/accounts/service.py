"""People: creating accounts, roles, deactivation and signing in."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.accounts.models import Council, Role, User
from tracker.errors import RuleBroken
from tracker.extensions import db

MIN_PASSWORD_LENGTH = 12


def normalise_email(email: str) -> str:
    """Addresses are compared without case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account for an address, whatever its case."""
    return db.session.scalars(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).first()


def check_password_rules(password: str) -> None:
    """Passwords must be long enough to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleBroken(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long",
            field="password",
        )


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
        raise RuleBroken("A user with this email address already exists", field="email")
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
        check_password_rules(password)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def _active_admins(council_id: int) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.council_id == council_id, User.role == Role.ADMIN, User.active.is_(True)
        )
    ) or 0


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
) -> None:
    """Change someone's details, role or whether they can sign in.

    The council always keeps one active administrator, so nobody locks everyone out.
    """
    keeps_admin = role is Role.ADMIN and active
    losing_admin = user.role is Role.ADMIN and user.active and not keeps_admin
    if losing_admin and _active_admins(user.council_id) <= 1:
        raise RuleBroken("The council must keep at least one active administrator", field="role")
    user.name = name.strip()
    user.job_title = job_title.strip()
    user.organisation = organisation.strip()
    user.telephone = telephone.strip()
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


def get_user(council_id: int, user_id: int) -> User | None:
    """One user of the council, or None."""
    return db.session.scalars(
        select(User).where(User.council_id == council_id, User.id == user_id)
    ).first()
