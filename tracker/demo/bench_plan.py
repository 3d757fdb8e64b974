"""What bench data is made of: how many of each thing a scale makes, and the made-up words
it is written in. `tracker.demo.bench` builds the rows from these."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tracker.errors import RuleBroken
from tracker.inspections.models import FindingCategory

# --- how much of everything --------------------------------------------------------------------


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


@dataclass(frozen=True)
class Sizes:
    """How many of each thing a scale makes."""

    items: int
    actions: int
    updates: int
    admins: int
    managers: int
    partners: int
    councillors: int
    committees: int
    reports: int
    inspections: int
    deliveries: int

    @property
    def users(self) -> int:
        return self.admins + self.managers + self.partners + self.councillors

    @classmethod
    def at(cls, scale: float) -> Sizes:
        """Scale 1: 200 items, 2,000 actions, 20,000 updates, 50 users, 3 committees, 8
        reports; everything in proportion, with the few minimums every page needs."""
        if not 0 < scale <= 100:
            raise RuleBroken("The scale must be more than 0 and at most 100", field="scale")
        items = max(5, round_half_up(200 * scale))
        admins = max(2, round_half_up(3 * scale))
        partners = max(1, round_half_up(8 * scale))
        councillors = max(1, round_half_up(14 * scale))
        users = max(6, round_half_up(50 * scale))
        return cls(
            items=items,
            actions=max(2 * items, round_half_up(2000 * scale)),
            updates=max(6 * items, round_half_up(20000 * scale)),
            admins=admins,
            managers=max(2, users - admins - partners - councillors),
            partners=partners,
            councillors=councillors,
            committees=max(1, round_half_up(3 * scale)),
            reports=max(1, round_half_up(8 * scale)),
            inspections=max(2, round_half_up(6 * scale)),
            deliveries=round_half_up(300 * scale),
        )


def share(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each at least `minimum`."""
    spare = total - minimum * len(weights)
    whole = sum(weights)
    exact = [spare * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: spare - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


# --- words -------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Eleanor", "Farid", "Grace", "Harry", "Imogen", "Jamal",
    "Kate", "Liam", "Megan", "Nadia", "Owen", "Priya", "Quentin", "Rosa", "Sam", "Tariq",
    "Uma", "Victor", "Wendy", "Xavier", "Yasmin", "Zach", "Alice", "Bilal", "Carys", "Declan",
    "Esther", "Frank", "Gita", "Hugh", "Isla", "Joe", "Kiran", "Lucy", "Mo", "Niamh",
]
LAST_NAMES = [
    "Ahmed", "Baker", "Clarke", "Davies", "Evans", "Foster", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nolan", "O'Brien", "Patel", "Quinn", "Roberts",
    "Singh", "Thomas", "Underwood", "Vaughan", "Walker", "Young", "Zhang", "Ashworth",
    "Begum", "Carter", "Doyle", "Ellis", "Fraser", "Gill", "Hall", "Ince", "Jackson",
    "Kaur", "Lloyd", "Mason", "Nash", "Owens", "Price",
]
ADMIN_TITLES = ["Head of Safeguarding and Quality Assurance", "Performance and quality manager",
                "Business support manager"]
MANAGER_TITLES = ["Team manager", "Service manager", "Principal social worker",
                  "Head of service", "Practice manager", "Independent reviewing officer manager",
                  "Early help coordinator"]
PARTNERS = [("Police", "Detective inspector"), ("Health", "Designated nurse for safeguarding"),
            ("Education", "Head of inclusion"), ("Local Safeguarding Children Board",
                                                 "Board manager"),
            ("Probation", "Senior probation officer")]
THEMES = ["Assessment", "Child protection", "Management oversight", "Workforce",
          "Partnership working", "Voice of the child", "Looked after children",
          "Quality assurance", "Early help", "Care leavers"]
SUBJECTS = [
    "Initial assessments", "Core assessments", "Child protection plans", "Strategy discussions",
    "Case records", "Supervision records", "Referrals from partner agencies",
    "Return home interviews", "Pathway plans", "Core group meetings",
    "Managers' decisions at the front door", "Chronologies", "Placement stability plans",
    "Thresholds for early help", "Direct work with children",
]
PROBLEMS = [
    "are not consistently completed within timescales",
    "do not always record the child's wishes and feelings",
    "do not show clear management oversight or the reasons for decisions",
    "are of variable quality and some lack analysis of risk",
    "are not always shared with partner agencies in good time",
    "do not consistently include the views of fathers and wider family",
    "are not reviewed often enough to make sure plans progress",
    "lack specific, measurable outcomes for the child",
]
STRENGTHS = [
    "Staff are positive about the support and training they receive.",
    "Partnership working with the police at the front door is effective.",
    "Children at immediate risk of harm are identified and protected quickly.",
    "Caseloads are manageable and allow social workers to know their children well.",
    "Senior leaders have a clear understanding of the service's strengths and weaknesses.",
]
MEETS = [
    "Arrangements for out-of-hours services meet the requirements of statutory guidance.",
    "The local authority designated officer arrangements meet statutory requirements.",
    "Thresholds are understood and applied consistently by partner agencies.",
]
ACTION_VERBS = ["Audit", "Revise", "Train managers on", "Introduce a checklist for",
                "Report monthly on", "Hold a practice workshop on", "Agree with partners",
                "Review a sample of", "Publish guidance on", "Re-launch"]
SENTENCES = [
    "Audit of twenty case files completed; findings shared with team managers.",
    "Training delivered to all front door staff, with good attendance.",
    "Awaiting figures from the performance team before this can be closed.",
    "Discussed at the quality assurance board, which asked for a further sample next quarter.",
    "Partner agencies have agreed the revised protocol and it is now in use.",
    "Progress has been slower than planned because of vacancies in two teams.",
    "The new template is live in the case management system.",
    "Managers' oversight recorded on most files seen this month, but not all.",
    "Dip sample shows improvement: 17 of 20 files now record the child's views.",
    "Escalated to the head of service because the deadline is at risk.",
    "Evidence uploaded to the shared drive and linked here.",
    "Police have nominated a named lead and the first joint meeting is booked.",
    "Workshop held with the independent reviewing officers; notes circulated.",
    "Agency staff now receive the same induction as permanent staff.",
    "Findings of the themed audit will go to the next performance meeting.",
]
CANCEL_REASONS = ["Superseded by the new front door action.",
                  "Merged with the quality assurance action above.",
                  "No longer needed: the service was recommissioned."]


@dataclass(frozen=True)
class Kind:
    title: str
    graded: bool
    tracked: FindingCategory


KINDS = [
    Kind("Annual unannounced inspection of contact, referral and assessment arrangements",
         False, FindingCategory.AREA_FOR_DEVELOPMENT),
    Kind("Inspection of safeguarding and looked after children services", True,
         FindingCategory.AREA_FOR_IMPROVEMENT),
    Kind("Inspection of services for children in need of help and protection, children "
         "looked after and care leavers", True, FindingCategory.AREA_FOR_IMPROVEMENT),
    Kind("Joint targeted area inspection of the multi-agency response to abuse and neglect",
         True, FindingCategory.AREA_FOR_IMPROVEMENT),
]
FOCUSED = Kind("Focused visit to children's services: the front door", True,
               FindingCategory.AREA_FOR_IMPROVEMENT)
JUDGEMENTS = ["Requires improvement to be good", "Adequate", "Inadequate", "Good"]
COMMITTEE_NAMES = ["Children and Young People's Scrutiny Committee",
                   "Safeguarding Overview and Scrutiny Panel"]
PANEL_NAME = "Corporate Parenting Panel"
# The committee that follows every inspection: the whole plan in one paper.
WHOLE_PLAN_NAME = "Children's Services Improvement Board"
