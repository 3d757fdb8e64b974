"""Working an item out as it stood at the end of a day, from its history (no printing)."""

from __future__ import annotations

import dataclasses
from datetime import date

from tests.audit.renaming import rename_labels_and_dates
from tests.evidence.conftest import BEFORE, RULES, at
from tracker.evidence.asof import item_as_of
from tracker.evidence.service import load_item
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus, ItemStatus, Rag


def as_of(item, day: date):
    db.session.expire_all()
    return item_as_of(*load_item(item.id), day, RULES)


def test_an_action_completed_then_reopened_shows_complete_on_the_days_between(plan):
    items.update_action(plan.workshop, actor=plan.lead, now=at(2026, 11, 16),
                        expected_version=None, status=ActionStatus.IN_PROGRESS,
                        commentary="Reopened: half the team missed it", evidence_link="")
    db.session.commit()

    (then,) = [a for a in as_of(plan.screening, date(2026, 11, 1)).actions
               if a.description == "Analysis workshop held"]
    assert (then.status, then.completed_on) == (ActionStatus.COMPLETE, date(2026, 9, 15))
    (now,) = [a for a in as_of(plan.screening, date(2026, 11, 16)).actions
              if a.description == "Analysis workshop held"]
    assert (now.status, now.completed_on, now.overdue) == (ActionStatus.IN_PROGRESS, None, True)


def test_an_item_sent_back_from_sign_off_shows_its_outcome_only_while_it_stood(plan):
    # The workshop and the rota are complete already; the other two are closed first.
    items.update_action(plan.audit, actor=plan.lead, now=at(2026, 11, 16),
                        expected_version=None, status=ActionStatus.CANCELLED,
                        commentary="Replaced by the contact form", evidence_link="")
    items.update_action(plan.form, actor=plan.lead, now=at(2026, 11, 16),
                        expected_version=None, status=ActionStatus.COMPLETE, commentary="",
                        evidence_link="")
    items.mark_item_complete(plan.screening, actor=plan.lead, now=at(2026, 11, 17),
                             outcome_evidence="All contacts screened within a day in October")
    items.refuse_sign_off(plan.screening, actor=plan.admin, now=at(2026, 11, 19),
                          reason="October's figures are not audited yet")
    db.session.commit()

    waiting = as_of(plan.screening, date(2026, 11, 18))
    assert waiting.status is ItemStatus.AWAITING_SIGN_OFF
    assert waiting.outcome_evidence == "All contacts screened within a day in October"
    assert (waiting.marked_complete_by, waiting.signed_off_by) == ("Meg Lead", "")
    back = as_of(plan.screening, date(2026, 11, 19))
    assert (back.status, back.outcome_evidence, back.marked_complete_by) == (
        ItemStatus.OPEN, "", "")
    assert back.entries[-1].what == "Sign-off refused: status from “Awaiting sign-off” to “Open”"


def test_a_status_set_by_hand_counts_from_the_day_it_was_set(plan):
    items.override_rag(plan.screening, actor=plan.admin, now=at(2026, 11, 20), rag=Rag.RED,
                       reason="Screening figures fell again in November")
    db.session.commit()

    assert as_of(plan.screening, date(2026, 11, 19)).rag.overridden is False
    then = as_of(plan.screening, date(2026, 11, 20)).rag
    assert (then.rag, then.overridden, then.reason) == (
        Rag.RED, True, "Set by hand: Screening figures fell again in November")


def _facts(record):
    """What an item's page of the pack says, less the words made for people (the kind and
    "what changed" of each history entry, and the RAG's reason)."""
    return dataclasses.replace(
        record, rag=(record.rag.rag, record.rag.overridden),
        entries=[(e.at, e.author, e.partner, e.action, e.text, e.evidence_link)
                 for e in record.entries])


def test_renaming_a_label_or_the_date_format_changes_no_fact_of_the_pack(plan, monkeypatch):
    # The plan's history was written with today's labels and dates; a later version renames
    # them all. Status moves, dates moved, a title edited, an item signed off: the pack's day
    # before and after them, and today.
    days = (BEFORE, date(2026, 11, 4), date(2026, 11, 22))
    items_ = (plan.screening, plan.assessments)
    before = {(item.id, day): as_of(item, day) for item in items_ for day in days}

    rename_labels_and_dates(monkeypatch)
    after = {(item.id, day): as_of(item, day) for item in items_ for day in days}

    assert {key: _facts(record) for key, record in after.items()} == {
        key: _facts(record) for key, record in before.items()}
    # The words follow the new labels and date format, so the renaming did take effect.
    moved = "Due date change: due date from “2026/12/01” to “2027/01/15”"
    whats = [e.what for e in after[plan.screening.id, BEFORE].entries]
    assert moved in whats
    assert "Status change: status from “[NOT STARTED]” to “[COMPLETE]”" in whats
    assert moved.replace("2026/12/01", "1 December 2026").replace(
        "2027/01/15", "15 January 2027") in [e.what for e in before[plan.screening.id,
                                                                     BEFORE].entries]
