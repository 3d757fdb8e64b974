"""`flask demo-data` loads the demo council; `flask demo-credentials` shows its sign-in details.

`make run` calls both: the first loads the demo into an empty database (and changes nothing
on a database that holds data), the second prints the accounts again on every later run. The
details are kept in the instance folder, readable by the owner only.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import clock
from tracker.demo import DemoAccount, DemoCredentials
from tracker.demo.data import load_demo_data
from tracker.errors import RuleBroken
from tracker.extensions import db

CREDENTIALS_FILE = "demo-credentials.txt"
SIGN_IN_URL = "http://127.0.0.1:5000/sign-in"


def credentials_path() -> Path:
    """Where the demo accounts' sign-in details are kept."""
    return Path(current_app.instance_path) / CREDENTIALS_FILE


def save_credentials(path: Path, credentials: DemoCredentials) -> None:
    """Write the sign-in details, one account a line (tab-separated), for the owner's eyes."""
    lines = [
        "# Demo sign-in details written by `flask --app tracker demo-data`.",
        "# role\tname\temail\tpassword",
        *("\t".join(account) for account in credentials.accounts),
    ]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    # The mode given to open() is ignored when the file already existed.
    path.chmod(0o600)


def read_credentials(path: Path) -> list[DemoAccount]:
    """The accounts saved by `save_credentials`."""
    accounts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("#") or len(fields) != 4:
            continue
        accounts.append(DemoAccount(*fields))
    return accounts


@click.command("demo-data")
@with_appcontext
def demo_data_command():
    """Load the demo council into an empty database (a database with data is left alone)."""
    try:
        credentials = load_demo_data(clock.today(), clock.now())
    except RuleBroken as error:
        db.session.rollback()
        raise click.ClickException(f"Demo data not loaded: {error.message}") from error
    if credentials is None:
        click.echo("The database already holds data: demo data not loaded, nothing changed.")
        return
    db.session.commit()
    path = credentials_path()
    save_credentials(path, credentials)
    click.echo(f"Demo data loaded: {credentials.summary}.")
    click.echo(f"Sign-in details saved in {path}; `flask --app tracker demo-credentials` "
               "prints them.")


@click.command("demo-credentials")
@with_appcontext
def demo_credentials_command():
    """Print the demo accounts' sign-in details again."""
    path = credentials_path()
    if not path.exists():
        click.echo(
            "No demo accounts were created by this installation. To add an account, use "
            "`flask --app tracker create-user --email E --name N --role R`."
        )
        return
    click.echo(f"Sign in at {SIGN_IN_URL} with:")
    for account in read_credentials(path):
        click.echo(f"  {account.role}: {account.name}")
        click.echo(f"    email:    {account.email}")
        click.echo(f"    password: {account.password}")
