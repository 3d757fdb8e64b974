"""The demo council: people, two inspections, tracked items and actions, and a committee.

Everything is written through the domain services, as users would write it, so the history
reads as if the tracker had been in use since the older letter. Dates are relative to the day
the demo is loaded, so there is always overdue and upcoming work to see. The plan is data
(`tracker.demo.plan`); `load_demo_data` plays it back in date order.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select

from tracker.accounts.models import Council, User
from tracker.accounts.service import create_user, get_or_create_council
from tracker.committees.models import Committee, ReportCadence
from tracker.committees.service import add_meeting, save_committee
from tracker.demo import DemoAccount, DemoCredentials
from tracker.demo.letters import Letter, letter_dates, newer_letter, older_letter
from tracker.demo.plan import (
    COMMITTEE_NAME,
    COUNCIL_NAME,
    NEWER_ITEMS,
    NEWER_ITEMS_CREATED,
    NEWER_LETTER_DAYS_AGO,
    OLDER_ITEMS,
    OLDER_ITEMS_CREATED,
    OLDER_LETTER_DAYS_AGO,
    PEOPLE,
    REPORT_OF,
    Decide,
    MarkComplete,
    MoveDate,
    NewTarget,
    Override,
    PlannedAction,
    PlannedItem,
    Progress,
    SendBack,
    SignOff,
)
from tracker.extensions import db
from tracker.formatting import UK
from tracker.inspections.importer import parse_text
from tracker.inspections.imports import LIST_CATEGORIES
from tracker.inspections.models import Finding, Inspection
from tracker.inspections.service import add_finding, create_inspection, mark_plan_submitted
from tracker.items import service as items
from tracker.items.models import Action, Item
from tracker.questions.service import QuestionDetails, answer_question, record_question
from tracker.reminders.models import Notice
from tracker.reports.service import save_report_details, save_report_schedule
from tracker.settings import settings
from tracker.workingdays import add_working_days


def _weekday_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _weekday_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


class _Calendar:
    """Turns the plan's day counts into dates and times around the load day."""

    def __init__(self, today: date, now: datetime) -> None:
        self.today = today
        self.history_day = now.astimezone(UK).date()

    def due(self, offset: int) -> date:
        """A due or target date, moved off a weekend without crossing today."""
        day = self.today + timedelta(days=offset)
        if offset < 0:
            return _weekday_before(day)
        if offset > 0:
            return _weekday_after(day)
        return day

    def day_ago(self, days_ago: int) -> date:
        """The working day on which something happened (weekends move back to Friday)."""
        return _weekday_before(self.history_day - timedelta(days=days_ago))

    @staticmethod
    def moment(day: date, nth: int, salt: int) -> datetime:
        """A time in office hours, later for each thing that happened the same day."""
        minutes = 9 * 60 + 10 + (salt * 17) % 45 + nth * 40
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UK)


class _Player:
    """Plays the plan back through the domain services, each item's events in date order."""

    def __init__(self, calendar: _Calendar, people: dict[str, User],
                 findings: dict[str, Finding]) -> None:
        self.calendar = calendar
        self.people = people
        self.findings = findings

    def play(self, plan: PlannedItem, salt: int) -> Item:
        """Create one item with its actions and their history."""
        happenings: list[tuple[date, int, object, int]] = []

        def at(days_ago: int, event: object, number: int = -1) -> None:
            happenings.append((self.calendar.day_ago(days_ago), len(happenings), event, number))

        at(plan.created, plan)
        for number, planned in enumerate(plan.actions):
            at(planned.added, planned, number)
            for step in planned.steps:
                at(step.days_ago, step, number)
        for event in plan.events:
            at(event.days_ago, event)
        happenings.sort(key=lambda h: (h[0], h[1]))

        item: Item | None = None
        actions: dict[int, Action] = {}
        previous_day, nth = None, 0
        for day, _, event, number in happenings:
            nth = nth + 1 if day == previous_day else 0
            previous_day = day
            now = self.calendar.moment(day, nth, salt)
            if isinstance(event, PlannedItem):
                item = self._create(event, now)
                continue
            assert item is not None, "an item's first event creates it"
            if isinstance(event, PlannedAction):
                # Actions are planned by the item's lead officer.
                actions[number] = items.add_action(
                    item, actor=self.people[plan.lead], now=now, description=event.description,
                    owner=self.people[event.owner], due_date=self.calendar.due(event.due),
                )
            elif number >= 0:
                self._step(actions[number], event, now)
            else:
                self._item_event(item, event, now)
        assert item is not None
        return item

    def _create(self, plan: PlannedItem, now: datetime) -> Item:
        return items.track_finding(
            finding=self.findings[plan.finding],
            title=plan.title,
            lead_officer=self.people[plan.lead] if plan.lead else None,
            actor=self.people["priya"],
            now=now,
            theme=plan.theme,
            priority=plan.priority,
            target_date=self.calendar.due(plan.target) if plan.target is not None else None,
            measure_of_success=plan.measure,
        )

    def _step(self, action: Action, step: object, now: datetime) -> None:
        if isinstance(step, Progress):
            items.update_action(
                action, actor=self.people[step.by], now=now, expected_version=None,
                status=step.status, commentary=step.commentary, evidence_link=step.evidence,
            )
        elif isinstance(step, MoveDate):
            items.change_due_date(
                action, actor=self.people[step.by], now=now,
                new_date=self.calendar.due(step.to), reason=step.reason,
            )
        elif isinstance(step, Decide):
            request = items.pending_due_date_change(action)
            assert request is not None, "a decision needs a request waiting for it"
            items.decide_due_date_change(
                request, actor=self.people[step.by], now=now, approve=step.approve,
                note=step.note,
            )

    def _item_event(self, item: Item, event: object, now: datetime) -> None:
        if isinstance(event, Override):
            items.override_rag(
                item, actor=self.people[event.by], now=now, rag=event.rag, reason=event.reason
            )
        elif isinstance(event, NewTarget):
            items.edit_item(
                item, actor=self.people[event.by], now=now, expected_version=None,
                title=item.title, theme=item.theme, priority=item.priority,
                target_date=self.calendar.due(event.to),
                measure_of_success=item.measure_of_success, lead_officer=item.lead_officer,
                may_change_lead=False,
            )
        elif isinstance(event, MarkComplete):
            items.mark_item_complete(
                item, actor=self.people[event.by], now=now, outcome_evidence=event.evidence
            )
        elif isinstance(event, SignOff):
            items.sign_off_item(item, actor=self.people[event.by], now=now,
                                comment=event.comment)
        elif isinstance(event, SendBack):
            items.refuse_sign_off(item, actor=self.people[event.by], now=now,
                                  reason=event.reason)


def _record_inspection(
    council: Council, letter: Letter, previous: Inspection | None,
    earlier_findings: dict[str, Finding],
) -> tuple[Inspection, dict[str, Finding]]:
    # The demo letters go through the importer, as an uploaded letter would: what is recorded
    # is what the importer read, and the plan only says which finding is which.
    extraction = parse_text(letter.text)
    planned = {f.text: f for f in letter.findings}
    misread = [f.text for f in extraction.findings if f.text not in planned]
    if misread or len(extraction.findings) != len(letter.findings):
        raise RuntimeError(f"The importer misread the demo letter {letter.source_filename}")
    inspection = create_inspection(
        council_id=council.id,
        title=extraction.inspection_title or letter.title,
        letter_date=extraction.letter_date,
        visit_dates=extraction.inspection_dates,
        inspector=extraction.inspector or "",
        inspector_role=extraction.inspector_role or "",
        recipient=extraction.recipient or "",
        previous_inspection=previous,
        previous_inspection_text=extraction.previous_inspection or "",
        source_filename=letter.source_filename,
        source_text=letter.text,
    )
    findings = {}
    for proposed in extraction.findings:
        plan = planned[proposed.text]
        findings[plan.key] = add_finding(
            inspection,
            category=LIST_CATEGORIES[proposed.category],
            text=proposed.text,
            group=proposed.group,
            repeat_evidence=proposed.repeat_evidence,
            repeat_of=earlier_findings[plan.repeats] if plan.repeats else None,
        )
    return inspection, findings


def _partner_update(calendar: _Calendar, people: dict[str, User]) -> None:
    """Sarah, at the police, is sent a link for her next open action and posts an update
    through it without signing in: the action's history shows it as a partner update."""
    from tracker.items.models import OPEN_ACTION_STATUSES, ActionStatus
    from tracker.partners.service import open_partner_link, post_partner_update, send_partner_link

    sarah = people["sarah"]
    action = db.session.scalars(
        select(Action).where(Action.owner_id == sarah.id,
                             Action.status.in_(OPEN_ACTION_STATUSES))
        .order_by(Action.due_date, Action.id)
    ).first()
    if action is None or action.item.lead_officer is None:
        return
    sent = send_partner_link(action, actor=action.item.lead_officer, days=14,
                             now=calendar.moment(calendar.day_ago(4), 6, 0))
    posted_at = calendar.moment(calendar.day_ago(2), 6, 0)
    link = open_partner_link(sent.token, now=posted_at)
    post_partner_update(
        link, now=posted_at, expected_version=None, status=ActionStatus.IN_PROGRESS,
        commentary="Police notifications for last month checked against the MASH log: all "
                   "but two reached the MASH within a day. The two late ones are being "
                   "followed up with the custody sergeants.",
        evidence_link="https://intranet.northshire.example/police/mash-notifications-audit",
        daily_posts=settings().partner_link_daily_posts)


def _members_questions(people: dict[str, User], committee: Committee,
                       tracked: list[Item]) -> None:
    """At the committee's meeting a few weeks ago Councillor Finch asked about late screening,
    which Daniel has answered, and another member asked about independent reviewing officers,
    which Ruth is to answer at the next meeting."""
    meeting = committee.meetings[0]
    recorded = datetime.combine(meeting.meeting_date + timedelta(days=1), time(10), tzinfo=UK)
    screening = next((item for item in tracked if item.lead_officer is people["daniel"]
                      and "screening" in item.title.lower()), None)
    asked = record_question(committee, QuestionDetails(
        meeting=meeting, asked_by_name="", asked_by=people["margaret"], item=screening,
        officer=people["daniel"],
        question="How many contacts from the police were screened after the 24-hour target "
                 "last month, and what is being done about Fridays?"),
        actor=people["priya"], now=recorded)
    answer_question(
        asked, "In the last month 38 of 412 police contacts (9%) were screened after 24 "
               "hours; 29 of them came in on a Friday. From next month a MASH social worker "
               "joins the Friday late rota, and the force's staffing review reports in the "
               "spring.",
        actor=people["daniel"], now=recorded + timedelta(days=6, hours=5),
        expected_version=None)
    record_question(committee, QuestionDetails(
        meeting=meeting, asked_by_name="Councillor David Price", asked_by=None, item=None,
        officer=people["ruth"],
        question="Do children in care know who their independent reviewing officer is, and "
                 "how is that checked?"),
        actor=people["priya"], now=recorded + timedelta(minutes=5))


def load_demo_data(today: date, now: datetime) -> DemoCredentials | None:
    """Create the demo council in an empty database; return its sign-in details.

    If the database already holds a council, nothing changes and None is returned. Writes go
    through the domain services, so the history is what users' own changes would leave;
    the caller commits. `now` is the moment of loading (its UK date is `today`): every
    recorded change is dated before it.
    """
    if db.session.scalar(select(func.count(Council.id))):
        return None
    calendar = _Calendar(today, now)
    # The tracker "started" just before the older letter's items were set up.
    started = datetime.combine(calendar.day_ago(OLDER_ITEMS_CREATED + 3), time(9), tzinfo=UK)

    council = get_or_create_council(COUNCIL_NAME)
    council.created_at = started
    people: dict[str, User] = {}
    accounts = []
    for person in PEOPLE:
        password = secrets.token_urlsafe(12)
        user = create_user(
            council=council, email=person.email, name=person.name, role=person.role,
            password=password, job_title=person.job_title, organisation=person.organisation,
            telephone=person.telephone,
        )
        # As if the accounts were set up when the council started using the tracker.
        user.created_at = started
        people[person.key] = user
        accounts.append(DemoAccount(person.label, person.name, person.email, password))

    older_date, older_visit = letter_dates(today, OLDER_LETTER_DAYS_AGO)
    older, older_findings = _record_inspection(
        council, older_letter(older_date, older_visit), None, {}
    )
    newer_date, newer_visit = letter_dates(today, NEWER_LETTER_DAYS_AGO)
    newer, newer_findings = _record_inspection(
        council, newer_letter(newer_date, newer_visit, older_visit), older, older_findings
    )
    # Each letter was recorded a few days before its items were set up, and its action plan
    # went to the inspectorate in time, so neither statutory clock is still running.
    for inspection, items_created, working_days in (
        (older, OLDER_ITEMS_CREATED, 55), (newer, NEWER_ITEMS_CREATED, 62)
    ):
        assert inspection.letter_date is not None
        inspection.created_at = datetime.combine(
            calendar.day_ago(items_created + 3), time(9), tzinfo=UK
        )
        mark_plan_submitted(
            inspection, submitted_on=add_working_days(inspection.letter_date, working_days),
            today=today,
        )

    player = _Player(calendar, people, {**older_findings, **newer_findings})
    tracked = [
        player.play(plan, salt)
        for salt, plan in enumerate(OLDER_ITEMS + NEWER_ITEMS)
    ]

    committee = save_committee(
        None, council_id=council.id, name=COMMITTEE_NAME, report_of=REPORT_OF,
        members=[people["margaret"], people["priya"]], inspections=[older, newer],
    )
    contact = people["ruth"]
    save_report_details(
        committee,
        report_title="Progress on the inspection of contact, referral and assessment",
        contact_name=contact.name,
        contact_job_title=contact.job_title,
        contact_telephone=contact.telephone,
        contact_email=contact.email,
    )
    # One meeting a few weeks ago, then three more, every eight weeks, on Thursdays.
    past_meeting = _on_or_before(today - timedelta(days=20), 3)
    for number in range(4):
        add_meeting(committee, past_meeting + timedelta(weeks=8 * number))
    # The scheduler drafts each report a week and a half of working days before the meeting
    # and tells Ruth, who checks and issues it.
    save_report_schedule(
        committee, cadence=ReportCadence.BEFORE_MEETING, rule_months="", rule_day="",
        days_before=7, time_of_day="09:00", owner=contact, auto_issue=False,
    )

    _partner_update(calendar, people)
    _members_questions(people, committee, tracked)
    # The demo's past was told in its own past mornings: only the last day's notices wait for
    # the next daily email (and show on the dashboards), not two years of them at once.
    db.session.flush()
    db.session.execute(delete(Notice).where(Notice.created_at < now - timedelta(days=1)))
    action_count = sum(len(item.actions) for item in tracked)
    return DemoCredentials(
        accounts=accounts,
        summary=(
            f"{COUNCIL_NAME}: 2 inspections, {len(tracked)} tracked items, "
            f"{action_count} actions and a committee"
        ),
    )
