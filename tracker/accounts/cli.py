"""`flask --app tracker create-user`: add an account from the command line, for scripts too."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.accounts import service
from tracker.accounts.models import Role
from tracker.errors import RuleBroken
from tracker.extensions import db

ROLE_NAMES = ", ".join(f'"{role.value}"' for role in Role)


def parse_role(text: str) -> Role:
    """A role as people type it: "admin", "manager", "committee member" or "committee-member"."""
    wanted = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    for role in Role:
        if role.value == wanted:
            return role
    raise click.ClickException(f"Unknown role {text!r}. Use one of: {ROLE_NAMES}.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt(
        "Password",
        hide_input=True,
        confirmation_prompt="Type the password again",
    )


@click.command("create-user")
@click.option("--email", required=True, help="Their email address: they sign in with it.")
@click.option("--name", required=True, help="Their full name.")
@click.option("--role", "role_text", required=True,
              help='admin, manager or "committee member" (committee-member also works).')
@click.option("--job-title", default="", help="Their job title.")
@click.option("--organisation", default="",
              help='For partners outside the council, for example "Northshire Police".')
@click.option("--telephone", default="", help="Their telephone number.")
@click.option("--council", "council_name", default=None,
              help="The council's name. Needed when there is no council yet, or more than one.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
@with_appcontext
def create_user_command(
    email: str,
    name: str,
    role_text: str,
    job_title: str,
    organisation: str,
    telephone: str,
    council_name: str | None,
    password_stdin: bool,
) -> None:
    """Add a user who can sign in. Prompts for the password twice unless --password-stdin."""
    role = parse_role(role_text)
    try:
        service.check_user_details(
            name=name, email=email, job_title=job_title,
            organisation=organisation, telephone=telephone,
        )
        if service.find_user_by_email(email) is not None:
            raise RuleBroken("A user with this email address already exists", field="email")
        council = service.council_for_new_user(council_name)
        password = _read_password(password_stdin)
        service.check_password_rules(password, user_inputs=[name, email, council.name])
        user = service.create_user(
            council=council, email=email, name=name, role=role, password=password,
            job_title=job_title, organisation=organisation, telephone=telephone,
        )
    except RuleBroken as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message}. Nothing was saved.") from error
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(f"Added {user.name} <{user.email}> as {role.label.lower()} of {council.name}.")
