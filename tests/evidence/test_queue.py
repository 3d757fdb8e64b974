"""The scheduler's side: a pack is claimed once, its progress committed item by item, a pack
left by a stopped scheduler made again (a few times at most), failures told to the asker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.conftest import sign_in_as
from tests.evidence.conftest import BEFORE, zip_of
from tracker import clock
from tracker.evidence.models import EvidencePack
from tracker.evidence.render import PackPrinter
from tracker.evidence.service import (
    claim_next,
    produce_queued_packs,
    request_pack,
)
from tracker.extensions import db
from tracker.jobs import queue
from tracker.jobs.models import RunState
from tracker.jobs.queue import MAX_ATTEMPTS
from tracker.jobs.run import queued_evidence_packs
from tracker.settings import settings


def queued(plan, as_of=BEFORE) -> EvidencePack:
    pack = request_pack(council_id=plan.council_id, as_of=as_of, inspection=None,
                        actor=plan.lead, now=clock.now())
    db.session.commit()
    return pack


def test_progress_is_committed_after_every_item_for_the_page_to_show(plan, monkeypatch):
    pack = queued(plan, as_of=clock.today())
    seen = []
    print_item = PackPrinter.item_pdf

    def watching(self, record, *, number, total, files=None):
        # What another process (the web page) reads while this item is being printed.
        with db.engine.connect() as other:
            seen.append(other.execute(
                text("SELECT items_done, items_total, state FROM evidence_pack WHERE id = :id"),
                {"id": pack.id}).one())
        return print_item(self, record, number=number, total=total, files=files)

    monkeypatch.setattr(PackPrinter, "item_pdf", watching)
    assert produce_queued_packs().done == 1

    assert [tuple(row) for row in seen] == [(0, 3, "running"), (1, 3, "running"),
                                            (2, 3, "running")]
    db.session.refresh(pack)
    assert (pack.items_done, pack.items_total, pack.state) == (3, 3, RunState.DONE)


def test_two_schedulers_claiming_at_once_do_not_both_take_a_pack(app, plan, monkeypatch):
    pack = queued(plan)
    real_update = queue.update
    rival = []

    def rival_claims_first(*args, **kwargs):
        # Between this scheduler's look at the queue and its UPDATE, another one claims.
        if not rival:
            rival.append("claiming")
            with app.app_context():
                rival.append(claim_next(clock.now()))
                db.session.remove()
        return real_update(*args, **kwargs)

    monkeypatch.setattr(queue, "update", rival_claims_first)
    assert claim_next(clock.now()) is None
    assert rival == ["claiming", (pack.id, 1)]
    db.session.refresh(pack)
    assert (pack.state, pack.attempts) == (RunState.RUNNING, 1)


def test_a_claimed_pack_is_not_claimed_again(plan):
    pack = queued(plan)
    assert claim_next(clock.now()) == (pack.id, 1)
    assert claim_next(clock.now()) is None


def test_a_pack_left_running_by_a_stopped_scheduler_is_made_again(plan):
    pack = queued(plan)
    # Its lease ran out: the scheduler making it stopped.
    pack.state, pack.lease_until, pack.attempts = (RunState.RUNNING,
                                                   clock.now() - timedelta(minutes=1), 1)
    pack.items_done, pack.items_total = 1, 2
    db.session.commit()

    assert produce_queued_packs().done == 1
    db.session.refresh(pack)
    assert (pack.state, pack.attempts, pack.items_done) == (RunState.DONE, 2, 2)


def test_a_pack_still_being_made_is_left_alone(plan):
    pack = queued(plan)
    pack.state, pack.lease_until, pack.attempts = (RunState.RUNNING,
                                                   clock.now() + timedelta(minutes=5), 1)
    db.session.commit()

    assert str(produce_queued_packs()) == "0 made, 0 failed"
    db.session.refresh(pack)
    assert (pack.state, pack.attempts) == (RunState.RUNNING, 1)


def test_a_pack_the_scheduler_stopped_on_too_often_fails_with_a_message(client, plan):
    pack = queued(plan)
    pack.state, pack.lease_until, pack.attempts = (RunState.RUNNING,
                                                   clock.now() - timedelta(minutes=1),
                                                   MAX_ATTEMPTS)
    db.session.commit()

    produce_queued_packs()

    db.session.refresh(pack)
    assert (pack.state, pack.attempts) == (RunState.FAILED, MAX_ATTEMPTS)
    assert "The scheduler stopped while making this pack, more than once" in pack.last_error


def test_a_failure_is_recorded_with_a_message_for_the_person_who_asked(client, plan,
                                                                      monkeypatch):
    pack = queued(plan)

    def broken(self, record, *, number, total, files=None):
        if number == 2:
            raise RuntimeError("printer on fire")
        return b"%PDF-1.7"

    monkeypatch.setattr(PackPrinter, "item_pdf", broken)
    assert str(produce_queued_packs()) == "0 made, 1 failed"

    db.session.refresh(pack)
    assert pack.state is RunState.FAILED
    assert pack.items_done == 1 and zip_of(pack) == b"" and pack.zip_sha256 == ""
    assert pack.last_error == ("The evidence pack could not be made (RuntimeError). Ask for "
                               "it again; if it fails again, tell the tracker's support.")
    sign_in_as(client, plan.lead)
    page = client.get(f"/evidence-packs/{pack.id}").get_data(as_text=True)
    assert "The evidence pack could not be made (RuntimeError)" in page
    assert "printer on fire" not in page
    assert client.get(f"/evidence-packs/{pack.id}/download").status_code == 404


def test_a_producer_whose_pack_was_taken_back_stops_without_finishing_it(plan, monkeypatch):
    pack = queued(plan)
    print_item = PackPrinter.item_pdf

    def taken_back_after_the_first(self, record, *, number, total, files=None):
        if number == 2:
            # A second scheduler recovered it and is making it as attempt 2.
            with db.engine.begin() as other:
                other.execute(text("UPDATE evidence_pack SET attempts = 2 WHERE id = :id"),
                              {"id": pack.id})
        return print_item(self, record, number=number, total=total, files=files)

    monkeypatch.setattr(PackPrinter, "item_pdf", taken_back_after_the_first)
    assert str(produce_queued_packs()) == "0 made, 0 failed"
    db.session.refresh(pack)
    assert (pack.state, pack.attempts, pack.items_done) == (RunState.RUNNING, 2, 1)
    assert zip_of(pack) == b""


def test_the_scheduler_job_makes_waiting_packs_under_its_own_lock(plan):
    pack = queued(plan)
    assert queued_evidence_packs() == "1 made, 0 failed"
    db.session.refresh(pack)
    assert pack.state is RunState.DONE


def test_the_job_is_in_the_schedule(app):
    from tracker.jobs.schedule import scheduled_jobs

    (job,) = [job for job in scheduled_jobs(settings()) if job.id == "evidence-packs"]
    assert job.func == "tracker.jobs.run:queued_evidence_packs"
    assert job.runs == "Every 5 seconds"
