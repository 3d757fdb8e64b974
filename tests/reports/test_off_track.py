"""Section 3's "what is off track, and why": every Red, not planned or late item, with the
officers' own latest words, read from the demo council's plan."""

from __future__ import annotations

from sqlalchemy import select

from tracker import clock
from tracker.audit.models import HistoryEntry
from tracker.committees.models import Committee
from tracker.demo.data import load_demo_data
from tracker.extensions import db
from tracker.items.status import ShownStatus
from tracker.reports.document import Table
from tracker.reports.service import draft_snapshot
from tracker.reports.snapshot import (
    KINDS_WITH_COMMENTARY,
    cut,
    latest_commentary,
    latest_commentary_on_actions,
)
from tracker.settings import settings


def _demo_paper():
    load_demo_data(clock.today(), clock.now())
    db.session.commit()
    committee = db.session.scalars(select(Committee).order_by(Committee.id)).first()
    snapshot = draft_snapshot(committee, today=clock.today(), now=clock.now(),
                              rules=settings().status_rules)
    return committee, snapshot


def _off_track_table(snapshot) -> Table:
    section = snapshot.sections[2]
    return next(b for b in section.blocks
                if isinstance(b, Table)
                and b.caption == "Items off track: why, and what is being done")


def test_every_red_and_not_planned_item_is_listed_with_its_latest_commentary(app):
    committee, snapshot = _demo_paper()
    table = _off_track_table(snapshot)
    listed = {row[0]: row for row in table.rows}
    red_or_not_planned = {ref for ref, shown in _shown_by_ref(snapshot, committee).items()
                          if shown in (ShownStatus.RED.value, ShownStatus.NOT_PLANNED.value)}
    assert red_or_not_planned, "the demo has Red and not planned items"
    assert red_or_not_planned <= set(listed)
    # The officers' own words, quoted with their author and date.
    assert any("“Police notifications for last month checked against the MASH log" in row[3]
               and "Sarah Kaur" in row[3] and "20 November 2026" in row[3]
               for row in table.rows)


def test_a_red_item_not_updated_within_the_stale_limit_says_so_plainly(app):
    _committee, snapshot = _demo_paper()
    table = _off_track_table(snapshot)
    stale = [row for row in table.rows if row[3].startswith("No update since ")]
    assert stale and all(row[2].startswith("Red") for row in stale)
    assert stale[0][3].startswith("No update since 13 October 2026. Last update: “")


def test_red_items_come_first_then_not_planned(app):
    _committee, snapshot = _demo_paper()
    states = [row[2] for row in _off_track_table(snapshot).rows]
    firsts = [s.split(";")[0].split(",")[0] for s in states]
    reds = [n for n, s in enumerate(firsts) if s == "Red"]
    not_planned = [n for n, s in enumerate(firsts) if s == "Not planned"]
    assert reds and not_planned and max(reds) < min(not_planned)


def test_latest_commentary_is_the_newest_note_on_the_item_or_its_actions(app):
    committee, _snapshot = _demo_paper()
    items = [f.item for i in committee.inspections for f in i.findings if f.item is not None]
    latest = latest_commentary([item.id for item in items])
    assert latest
    for item_id, entry in latest.items():
        assert entry.text.strip()
        assert entry.item_id == item_id


def test_appendix_b_quotes_the_newest_note_on_each_overdue_action_itself(app):
    committee, _snapshot = _demo_paper()
    actions = [action for i in committee.inspections for f in i.findings if f.item is not None
               for action in f.item.actions]
    latest = latest_commentary_on_actions([action.id for action in actions])
    assert latest
    for action_id, entry in latest.items():
        notes = db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action_id == action_id,
                                       HistoryEntry.kind.in_(KINDS_WITH_COMMENTARY),
                                       HistoryEntry.text != "")
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())).all()
        newest = notes[0]
        assert (entry.action_id, entry.text, entry.created_at) == (
            action_id, newest.text, newest.created_at)
        assert entry.author == (newest.author.display_name if newest.author else None)


def test_commentary_is_cut_at_a_word_near_300_characters():
    text = "word " * 100
    short = cut(text.strip())
    assert 250 <= len(short) <= 300 and short.endswith("word…")
    assert cut("Short enough.") == "Short enough."


def _shown_by_ref(snapshot, committee) -> dict[str, str]:
    """Each open item's status as the snapshot stored it, by its number (from appendix A,
    whose second column starts with the item's title)."""
    ids = {f.item.title: f.item.id for i in committee.inspections for f in i.findings
           if f.item is not None}
    in_brief = next(b for b in snapshot.appendices[0].blocks if isinstance(b, Table))
    return {row[0]: snapshot.item_rags[str(ids[title])] for row in in_brief.rows
            for title in ids if row[1].startswith(f"{title}. ")}


def test_page_one_and_the_conclusion_say_what_the_committee_is_asked_to_do(app):
    _committee, snapshot = _demo_paper()
    asked = ("The Committee is asked to note progress; to ask the lead officers for items "
             "5.1, 5.4, 5.10 and 5.16, which are off track, to attend the next meeting; and to "
             "receive a further progress report on 18 February 2027.")
    in_brief = [b for b in snapshot.sections[0].blocks if getattr(b, "label", "") == "In brief:"]
    assert in_brief and in_brief[0].text.endswith(asked)
    assert in_brief[0].text.startswith("Of the 16 items the Committee follows, four are off "
                                       "track")
    conclusion = [b for b in snapshot.sections[6].blocks
                  if getattr(b, "label", "") == "Recommendation:"]
    assert conclusion[0].text == asked
