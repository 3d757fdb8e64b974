"""`flask --app tracker reminders send [--dry-run] [--date YYYY-MM-DD]`: the reminder job by hand.

Without --date the day is today in the UK. --dry-run prints who would get what and writes
nothing (no delivery rows, no email).
"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from tracker import clock
from tracker.reminders import service
from tracker.settings import public_url_problem, settings

reminders_command = AppGroup("reminders", help="Email reminders about overdue actions.")


def _parse_day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use the form YYYY-MM-DD, for example 2026-11-23") from error


@reminders_command.command("send")
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
@click.option("--date", "day", callback=_parse_day, metavar="YYYY-MM-DD",
              help="The day to send reminders for (default: today).")
def send_command(dry_run: bool, day: date | None) -> None:
    """Send the day's reminders and retry earlier failures."""
    day = day or clock.today()
    if dry_run:
        reminders = service.plan_reminders(day, settings=settings())
        click.echo(f"Reminders for {day.isoformat()} (dry run: nothing sent or recorded)")
        for reminder in reminders:
            click.echo(f"  {reminder.summary()}")
        click.echo(f"{len(reminders)} email(s) would be sent, unless already sent.")
        return
    result = service.send_reminders(day, now=clock.now())
    click.echo(f"Reminders for {day.isoformat()}: {result.sent} sent, {result.failed} failed, "
               f"{result.already_done} already sent or claimed.")
    for error in result.errors:
        click.echo(f"  failed: {error}", err=True)
    if result.failed:
        raise SystemExit(1)


@click.command("check-public-url")
def check_public_url_command() -> None:
    """Refuse (exit 1, saying how to set it) while PUBLIC_URL is left at its default: what
    `make serve` runs before it starts."""
    problem = public_url_problem(settings().public_url)
    if problem is not None:
        click.echo(problem, err=True)
        raise SystemExit(1)
    click.echo(f"Links in emails start with {settings().public_url}")
