"""The demo council's two inspection letters: fictional, written for this tracker.

Northshire County Council, its people and its places are invented. The letters follow the
layout of the published letters of annual unannounced inspections of contact, referral and
assessment arrangements (letterhead, date, address block, subject line, findings under their
headings as bullets, signature), so that the demo reads like the real thing and an importer
could read them. Each finding's text is the whole bullet, closing sentences included, as the
importer's conventions require.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.formatting import long_date
from tracker.inspections.models import FindingCategory

TITLE = (
    "Annual unannounced inspection of contact, referral and assessment arrangements "
    "within Northshire County Council children's services"
)
RECIPIENT = "Ms Joanna Hartley"
INSPECTOR_ROLE = "His Majesty's Inspector"
REPEAT_SENTENCE = "This was an area for development at the last inspection."

STRENGTH = FindingCategory.STRENGTH
MEETS = FindingCategory.MEETS_REQUIREMENTS
DEVELOPMENT = FindingCategory.AREA_FOR_DEVELOPMENT
PRIORITY = FindingCategory.PRIORITY_ACTION


@dataclass(frozen=True)
class LetterFinding:
    """One bullet of a letter. `key` names it for the demo plan; `repeats` names the finding
    of the older letter that this one says was raised before."""

    key: str
    category: FindingCategory
    text: str
    repeats: str = ""

    @property
    def repeat_evidence(self) -> str:
        """The sentence that says the finding was raised at the last inspection."""
        return REPEAT_SENTENCE if self.repeats else ""


@dataclass(frozen=True)
class Letter:
    """A letter's details as an inspection records them, and its full text."""

    title: str
    letter_date: date
    visit_dates: tuple[date, ...]
    inspector: str
    recipient: str
    previous_inspection_text: str
    source_filename: str
    findings: tuple[LetterFinding, ...]
    text: str

    inspector_role: str = INSPECTOR_ROLE


OLDER_FINDINGS = (
    LetterFinding(
        "mash-colocation",
        STRENGTH,
        "Social workers, police officers, health practitioners and education staff work side "
        "by side in the multi-agency safeguarding hub at Castlegate House. Information is "
        "exchanged quickly and inspectors saw several cases where this led to a prompt and "
        "proportionate decision for the child.",
    ),
    LetterFinding(
        "leaders-know-service",
        STRENGTH,
        "Senior leaders and elected members have a good grasp of the service. A weekly "
        "performance meeting tracks demand and moves staff to the teams under most pressure.",
    ),
    LetterFinding(
        "thresholds",
        MEETS,
        "The threshold document is published, partner agencies understand it and in most of "
        "the cases seen it was applied consistently.",
    ),
    LetterFinding(
        "strategy-discussions",
        MEETS,
        "Strategy discussions are held without delay when there is reasonable cause to suspect "
        "that a child is suffering significant harm, and the police take part in nearly all of "
        "them.",
    ),
    LetterFinding(
        "children-seen",
        MEETS,
        "Children are seen during assessments and child protection enquiries, and are seen "
        "on their own where this is appropriate.",
    ),
    LetterFinding(
        "caseloads",
        MEETS,
        "Caseloads are manageable. Newly qualified social workers have protected caseloads "
        "and receive regular, reflective supervision.",
    ),
    LetterFinding(
        "contact-decisions",
        DEVELOPMENT,
        "Managers' decisions on contacts are recorded, but the reasons given are often brief "
        "and do not show how the family's history was taken into account.",
    ),
    LetterFinding(
        "identity-recording",
        DEVELOPMENT,
        "Case records do not consistently describe children's ethnicity, first language, "
        "religion or disability, or show how these were considered in assessments.",
    ),
    LetterFinding(
        "childrens-views",
        DEVELOPMENT,
        "Children's views are sought during assessments but are seldom recorded in their own "
        "words, and plans do not show how those views have shaped what happens next.",
    ),
    LetterFinding(
        "family-feedback",
        DEVELOPMENT,
        "Feedback from families and partner agencies is collected but is not yet analysed or "
        "used to improve services.",
    ),
    LetterFinding(
        "recording-system",
        DEVELOPMENT,
        "The electronic case recording system is slow at busy times, and staff sometimes enter "
        "important information days after the event. As a result managers do not always have "
        "an up-to-date picture of the work in their teams.",
    ),
)

NEWER_FINDINGS = (
    LetterFinding(
        "management-decisions-improved",
        STRENGTH,
        "Managers' decisions on contacts and referrals have improved since the last "
        "inspection. The reasons for each decision are clear and take account of the "
        "family's history.",
    ),
    LetterFinding(
        "thresholds-understood",
        MEETS,
        "Thresholds are well understood across the partnership and most referrals contain "
        "enough information for a decision to be made.",
    ),
    LetterFinding(
        "section-47",
        MEETS,
        "Child protection enquiries are carried out by qualified and experienced social "
        "workers. They are thorough and analyse risk clearly.",
    ),
    LetterFinding(
        "visits",
        MEETS,
        "Social workers know their children well, and visits take place as often as plans "
        "require.",
    ),
    LetterFinding(
        "newly-qualified",
        MEETS,
        "Newly qualified social workers get good support and protected time during their "
        "assessed and supported year in employment.",
    ),
    LetterFinding(
        "assessment-timeliness",
        DEVELOPMENT,
        "Too many assessments take longer than 45 working days, and the reasons for the delay "
        "are not recorded on the child's file.",
    ),
    LetterFinding(
        "domestic-abuse-notifications",
        DEVELOPMENT,
        "Police notifications of domestic abuse incidents where children are present do not "
        "always reach children's social care within 24 hours, and some lack the detail needed "
        "to judge the risk to the children in the household.",
    ),
    LetterFinding(
        "supervision",
        DEVELOPMENT,
        "Supervision is regular, but records are often brief and show little reflection or "
        "clear actions for each child.",
    ),
    LetterFinding(
        "identity-in-records",
        DEVELOPMENT,
        "Case records still do not consistently set out children's ethnicity, religion, "
        "language or disability, and assessments rarely consider how these affect the child's "
        f"needs. {REPEAT_SENTENCE}",
        repeats="identity-recording",
    ),
    LetterFinding(
        "views-in-plans",
        DEVELOPMENT,
        "Children's wishes and feelings are not consistently recorded in their own words, and "
        f"plans do not show how their views have been taken into account. {REPEAT_SENTENCE}",
        repeats="childrens-views",
    ),
    LetterFinding(
        "medicals",
        DEVELOPMENT,
        "Arrangements for child protection medicals outside office hours are unclear, and "
        "some children waited more than a day to be seen by a paediatrician.",
    ),
    LetterFinding(
        "duty-handover",
        DEVELOPMENT,
        "Handovers from the emergency duty team to daytime teams are not always recorded, so "
        "information about what happened to a child overnight can be missed.",
    ),
    LetterFinding(
        "audit-learning",
        DEVELOPMENT,
        "Case file audits take place every month, but their findings are not brought "
        "together, so senior managers cannot tell whether the learning is improving practice.",
    ),
    LetterFinding(
        "step-down",
        DEVELOPMENT,
        "Arrangements for stepping families down from social care to early help are "
        "inconsistent, and some families went without support for several weeks after their "
        "case was closed.",
    ),
    LetterFinding(
        "return-interviews",
        DEVELOPMENT,
        "Children who go missing from home are not always offered an interview when they "
        "return, and what they say is not used to plan how to keep them safe.",
    ),
    LetterFinding(
        "contact-screening",
        PRIORITY,
        "Contacts received by the multi-agency safeguarding hub are not always screened "
        "within the council's own standard of one working day. During the inspection more "
        "than 120 contacts were waiting to be screened, some for over a week, and inspectors "
        "found children left at risk of harm while a decision was delayed. Managers did not "
        "have accurate information about how many contacts were waiting or for how long.",
    ),
)

_LETTERHEAD = """\
Ofsted
Northern Regional Office
Quayside House
Harbour Road
Northport NS2 7QP

T 01632 960418
"""

_ADDRESS = """\
Ms Joanna Hartley
Executive Director of Children's Services
Northshire County Council
County Hall
Market Street
Northport
NS1 1AA"""


def letter_dates(today: date, days_ago: int) -> tuple[date, tuple[date, ...]]:
    """A letter's date, the weekday on or before `days_ago` days before `today`, and its
    visit: a Tuesday and Wednesday about five weeks earlier."""
    day = today - timedelta(days=days_ago)
    letter_date = day - timedelta(days=max(0, day.weekday() - 4))
    before = letter_date - timedelta(days=35)
    tuesday = before - timedelta(days=(before.weekday() - 1) % 7)
    return letter_date, (tuesday, tuesday + timedelta(days=1))


def visit_words(days: tuple[date, ...]) -> str:
    """The visit as a letter words it: "13 and 14 August 2024"."""
    first, last = days[0], days[-1]
    if len(days) == 1:
        return long_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} and {long_date(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%B} and {long_date(last)}"
    return f"{long_date(first)} and {long_date(last)}"


def _bullets(findings: tuple[LetterFinding, ...], category: FindingCategory, mark: str) -> str:
    return "\n".join(f"{mark} {f.text}" for f in findings if f.category is category)


def older_letter(letter_date: date, visit_dates: tuple[date, ...]) -> Letter:
    """The earlier letter: strengths, requirements met and areas for development."""
    findings = OLDER_FINDINGS
    text = f"""\
{_LETTERHEAD}


{long_date(letter_date)}

{_ADDRESS}

Dear Ms Hartley

{TITLE}

This letter sets out what inspectors found during the unannounced inspection of contact, \
referral and assessment arrangements in Northshire County Council's children's services, \
carried out on {visit_words(visit_dates)}. Inspectors visited using the powers in section 138 \
of the Education and Inspections Act 2006, and what they found will inform the annual \
assessment of the council's children's services. Thank you to the staff and partners who \
gave their time to inspectors.

Inspectors looked at how well contact, referral and assessment arrangements protect children \
from abuse and neglect. They read electronic and paper case records and supervision notes, \
watched social workers and managers at work in the multi-agency safeguarding hub and the \
assessment teams, and talked with managers, practitioners, business support staff and partner \
agencies.

The inspection found strengths and areas of practice that meet requirements, together with \
some areas for development. No area for priority action was identified.

Inspectors found the following:

Strengths
{_bullets(findings, STRENGTH, "•")}

The service meets the requirements of statutory guidance in the following areas
{_bullets(findings, MEETS, "•")}

Areas for development
{_bullets(findings, DEVELOPMENT, "•")}

Inspectors will return to the areas for development above when services that protect \
children in Northshire are next inspected.

Yours sincerely

Alison Pryce
{INSPECTOR_ROLE}

Copy: Mark Stanton, Chief Executive, Northshire County Council
"""
    return Letter(
        title=TITLE,
        letter_date=letter_date,
        visit_dates=visit_dates,
        inspector="Alison Pryce",
        recipient=RECIPIENT,
        previous_inspection_text="",
        source_filename=f"northshire-{letter_date.year}-ucra-letter.txt",
        findings=findings,
        text=text,
    )


def newer_letter(
    letter_date: date, visit_dates: tuple[date, ...], previous_visit: tuple[date, ...]
) -> Letter:
    """The later letter: an area for priority action, and two areas for development that
    the earlier letter had raised."""
    findings = NEWER_FINDINGS
    previous = f"{previous_visit[0]:%B %Y}"
    text = f"""\
{_LETTERHEAD}


{long_date(letter_date)}

{_ADDRESS}

Dear Ms Hartley

{TITLE}

This letter reports the findings of the unannounced inspection of contact, referral and \
assessment arrangements in Northshire County Council's children's services, which took place \
on {visit_words(visit_dates)}. It was made using the powers in section 138 of the Education \
and Inspections Act 2006, and its findings feed into the annual assessment of the council's \
children's services. I am grateful to everyone who helped inspectors during the visit.

Inspectors tested how well contact, referral and assessment arrangements keep children safe \
from abuse and neglect. They read case records and supervision notes, observed the work of \
the multi-agency safeguarding hub, the assessment teams and the emergency duty team, and spoke \
with managers, social workers, business support staff and partner agencies.

Inspectors found one area for priority action, together with areas of practice that meet \
requirements and areas for development.

Since the previous inspection of contact, referral and assessment arrangements in {previous}, \
managers have improved how they record the reasons for their decisions on contacts. The \
recording of children's identity and the use of children's views in their plans have not \
improved enough, and both remain areas for development.

Inspectors found the following:

Strengths
{_bullets(findings, STRENGTH, "-")}

The service meets the requirements of statutory guidance in the following areas
{_bullets(findings, MEETS, "-")}

Areas for development
{_bullets(findings, DEVELOPMENT, "-")}

Inspectors found that the following needs action as a priority:

Area for priority action
{_bullets(findings, PRIORITY, "-")}

Inspectors will return to the areas for development and the area for priority action above \
when services that protect children in Northshire are next inspected. The council should send a \
draft action plan for the area for priority action within 20 working days of the date of this \
letter, and its full action plan within 70 working days.

Yours sincerely

Graham Tully
{INSPECTOR_ROLE}

Copy: Mark Stanton, Chief Executive, Northshire County Council
"""
    return Letter(
        title=TITLE,
        letter_date=letter_date,
        visit_dates=visit_dates,
        inspector="Graham Tully",
        recipient=RECIPIENT,
        previous_inspection_text=previous,
        source_filename=f"northshire-{letter_date.year}-ucra-letter.txt",
        findings=findings,
        text=text,
    )
