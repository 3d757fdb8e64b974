"""Imports nobody confirms are not kept for good: the scheduler removes a letter's draft and
an action plan's sheets uploaded more than 7 days ago and never confirmed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import TEST_NOW
from tests.factories import AdminFactory, InspectionFactory
from tests.plan_import.factories import waiting_import
from tracker.extensions import db
from tracker.inspections import imports
from tracker.inspections.models import ImportDraft
from tracker.jobs.models import JobLock
from tracker.jobs.run import unconfirmed_imports
from tracker.plan_import.models import PlanImport

LETTER = "Areas for development\n\n- Records of visits are not kept up to date.\n"


def draft_uploaded(admin, days_ago: float) -> int:
    draft = imports.start_import_from_text(
        admin.council_id, actor=admin, now=TEST_NOW - timedelta(days=days_ago), text=LETTER,
        max_bytes=1024 * 1024, filename=f"letter {days_ago} days old.txt")
    db.session.commit()
    return draft.id


def test_imports_left_unconfirmed_for_over_7_days_are_removed_and_newer_ones_kept(app):
    admin = AdminFactory()
    inspection = InspectionFactory(council=admin.council)
    old_draft, new_draft = draft_uploaded(admin, 7.5), draft_uploaded(admin, 6.9)
    old_plan = waiting_import(admin.council_id, inspection.id,
                              created_at=TEST_NOW - timedelta(days=8)).id
    new_plan = waiting_import(admin.council_id, inspection.id,
                              created_at=TEST_NOW - timedelta(days=1)).id

    outcome = unconfirmed_imports()

    db.session.expire_all()
    assert db.session.scalars(select(ImportDraft.id)).all() == [new_draft]
    assert db.session.scalars(select(PlanImport.id)).all() == [new_plan]
    assert old_draft != new_draft and old_plan != new_plan
    assert outcome == "1 letter drafts, 1 action plan sheets and 0 read uploads removed"
    lock = db.session.get(JobLock, "unconfirmed-imports")
    assert lock is not None and lock.last_outcome == outcome


def test_a_run_with_nothing_to_remove_removes_nothing(app):
    admin = AdminFactory()
    kept = draft_uploaded(admin, 0)

    assert unconfirmed_imports() == ("0 letter drafts, 0 action plan sheets and 0 read uploads "
                                     "removed")
    assert db.session.scalars(select(ImportDraft.id)).all() == [kept]


def test_the_scheduler_runs_the_clean_up_every_hour(app):
    from tracker.jobs.schedule import scheduled_jobs
    from tracker.settings import settings

    (job,) = [job for job in scheduled_jobs(settings()) if job.id == "unconfirmed-imports"]

    assert job.func == "tracker.jobs.run:unconfirmed_imports"
    assert job.runs == "Every hour"


def test_the_pages_say_an_unconfirmed_import_is_removed_after_7_days(app, client):
    from tests.conftest import sign_in_as

    admin = AdminFactory()
    draft_uploaded(admin, 1)
    sign_in_as(client, admin)

    page = " ".join(client.get("/inspections/import").get_data(as_text=True).split())

    assert "An import not confirmed within 7 days of its upload is removed." in page
