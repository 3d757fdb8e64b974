"""`flask --app tracker scheduler`: the one scheduler process."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.jobs import run
from tracker.jobs.schedule import build_scheduler
from tracker.settings import settings


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs (reminders) until stopped. Run one of these, beside the web."""
    # Job threads have no app context: they use this process's app (see tracker.jobs.run).
    run.use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    scheduler = build_scheduler(settings(), current_app.config["SQLALCHEMY_DATABASE_URI"])
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: {job.name}")
    click.echo("Scheduler running (Ctrl-C to stop)")
    # `make run` stops this process with SIGTERM (a background job in a script ignores Ctrl-C):
    # treat it like Ctrl-C, so the scheduler shuts down cleanly either way.
    signal.signal(signal.SIGTERM, _stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        if scheduler.running:
            scheduler.shutdown(wait=False)
        click.echo("Scheduler stopped")
