"""The one table of scheduled jobs, and the scheduler that runs them.

Run exactly one scheduler process (`flask --app tracker scheduler`) beside the web processes:
APScheduler 3 does not coordinate processes. Jobs live in the application database
(SQLAlchemyJobStore), so schedules and next run times survive restarts; each has a fixed id
and is re-added with replace_existing=True at start, so a changed time takes effect.

APScheduler only ticks; the database decides what each tick does, and every job is safe to
run twice:
- coalesce=True: if the scheduler was down over several ticks, the job runs once.
- max_instances=1, and the job lock (tracker.jobs.lock): never two runs of one job at once,
  even across two scheduler processes started by mistake. The lock is a lease renewed by a
  heartbeat while the job runs; a killed scheduler's lock is taken over within a minute.
- "daily-reminders" ticks every minute (DELIVERY_QUEUE_SECONDS) and plans the day's emails
  once REMINDER_TIME (UK time) has come, unless a run has finished since then: a run that
  died before planning, or a scheduler that was down at 07:00, runs again the same day.

The report jobs: "progress-reports" looks every ten minutes for committees whose report has
come due on their schedule and queues it; "report-queue" produces queued reports (those and
the ones asked for in the app) every few seconds (REPORT_QUEUE_SECONDS), so a person who asks
for a PDF or issues a report waits seconds, not minutes, and no web request does the work.
"evidence-packs" makes the evidence packs asked for in the app on the same cadence, under its
own lock, so a pack that takes minutes to print never holds up a report.

"upload-queue" reads, on the same cadence and under its own lock, the files uploaded in the
app (an inspection letter, an action plan, a council's Word template), each in the bounded
child process of tracker.untrusted: the request only keeps the file and shows its progress
(tracker.uploads.service), so no web request waits for a hostile file's ten seconds.

"unconfirmed-imports" removes, every hour, the letters' drafts and action plans' sheets that
were uploaded more than 7 days ago and never confirmed, and the uploads read more than a day
ago.

"deliveries" sends, every minute (DELIVERY_QUEUE_SECONDS), the emails waiting in the delivery
log (the day's reminders, report notices, a partner's link) and the failed emails whose
retry wait is over. It is the only job that sends.

"retention" tells administrators, 30 days before, of each inspection whose retention period
is ending, and removes those whose time has come (tracker.data_protection.retention).
"""

from __future__ import annotations

from dataclasses import dataclass

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.formatting import UK, clock_time
from tracker.settings import Settings

MISFIRE_GRACE_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    func: str  # "package.module:function", as APScheduler stores it
    trigger: BaseTrigger
    name: str
    runs: str  # when, in words, for the admin page


def scheduled_jobs(settings: Settings) -> list[ScheduledJob]:
    """The jobs: one row each."""
    at = settings.reminders.time
    queue_seconds = settings.scheduler.report_queue_seconds
    delivery_seconds = settings.scheduler.delivery_queue_seconds
    return [
        ScheduledJob(
            id="daily-reminders",
            func="tracker.jobs.run:daily_reminders",
            # Ticks often; runs once a day (tracker.jobs.run.daily_reminders).
            trigger=IntervalTrigger(seconds=delivery_seconds, timezone=UK),
            name="Email reminders about overdue and coming-up actions",
            runs=f"Every day at {clock_time(at)}",
        ),
        ScheduledJob(
            id="progress-reports",
            func="tracker.jobs.run:scheduled_reports",
            trigger=CronTrigger(minute="*/10", timezone=UK),
            name="Progress reports due on each committee's schedule",
            runs="Every 10 minutes",
        ),
        ScheduledJob(
            id="deliveries",
            func="tracker.jobs.run:due_deliveries",
            trigger=IntervalTrigger(seconds=delivery_seconds, timezone=UK),
            name="Emails waiting to be sent: reminders, report notices, partner links, retries",
            runs=("Every minute" if delivery_seconds == 60
                  else f"Every {delivery_seconds} seconds"),
        ),
        ScheduledJob(
            id="report-queue",
            func="tracker.jobs.run:queued_reports",
            trigger=IntervalTrigger(seconds=queue_seconds, timezone=UK),
            name="Progress reports asked for in the tracker (PDFs and issuing)",
            runs=f"Every {queue_seconds} seconds",
        ),
        ScheduledJob(
            id="evidence-packs",
            func="tracker.jobs.run:queued_evidence_packs",
            trigger=IntervalTrigger(seconds=queue_seconds, timezone=UK),
            name="Evidence packs asked for in the tracker (a PDF per item, in a zip)",
            runs=f"Every {queue_seconds} seconds",
        ),
        ScheduledJob(
            id="upload-queue",
            func="tracker.jobs.run:queued_uploads",
            trigger=IntervalTrigger(seconds=queue_seconds, timezone=UK),
            name="Uploaded files read (inspection letters, action plans, Word templates)",
            runs=f"Every {queue_seconds} seconds",
        ),
        ScheduledJob(
            id="unconfirmed-imports",
            func="tracker.jobs.run:unconfirmed_imports",
            trigger=CronTrigger(minute=40, timezone=UK),
            name="Imports not confirmed within 7 days removed (letters and action plans)",
            runs="Every hour",
        ),
        ScheduledJob(
            id="retention",
            func="tracker.jobs.run:retention",
            trigger=CronTrigger(hour=2, minute=30, timezone=UK),
            name="Inspections kept past their retention period: notice 30 days before, then "
                 "removal",
            runs="Every day at 2:30am",
        ),
    ]


def build_scheduler(
    settings: Settings, database_uri: str,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
) -> BaseScheduler:
    """A scheduler whose jobs are stored in the application database, with the table's jobs."""
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(
            url=database_uri, tablename="apscheduler_jobs",
            engine_options={"pool_pre_ping": True},
        )},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS,
                      "max_instances": 1},
        timezone=UK,
    )
    for job in scheduled_jobs(settings):
        scheduler.add_job(job.func, trigger=job.trigger, id=job.id, name=job.name,
                          replace_existing=True)
    return scheduler
