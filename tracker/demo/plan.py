"""The demo council's plan: its people, and for each tracked item the actions and the events
that happened to them, as data. `tracker.demo.data` plays it back through the services.

Days "ago" count back from the load day; `due`, `to` and `target` count forward from it
(negative is in the past).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.accounts.models import Role
from tracker.items.models import ActionStatus, Priority, Rag

COUNCIL_NAME = "Northshire County Council"
COMMITTEE_NAME = "Children's Services Scrutiny Committee"
REPORT_OF = "Report of the Executive Director of Children's Services"
INTRANET = "https://intranet.northshire.example"

NOT_STARTED = ActionStatus.NOT_STARTED
IN_PROGRESS = ActionStatus.IN_PROGRESS
COMPLETE = ActionStatus.COMPLETE
CANCELLED = ActionStatus.CANCELLED

# How long before the load day each letter is dated, and when its items were set up.
OLDER_LETTER_DAYS_AGO = 730
NEWER_LETTER_DAYS_AGO = 122
OLDER_ITEMS_CREATED = 715
NEWER_ITEMS_CREATED = 112


# --- The plan -------------------------------------------------------------------------------
# Days "ago" count back from the load day; `due`, `to` and `target` count forward from it
# (negative is in the past). Events of one item are played back in date order.


@dataclass(frozen=True)
class Person:
    """A demo user; `label` is how the sign-in list describes the account."""

    key: str
    label: str
    name: str
    email: str
    role: Role
    job_title: str
    telephone: str
    organisation: str = ""


@dataclass(frozen=True)
class Progress:
    """An update to an action: its status, with a commentary and perhaps evidence."""

    days_ago: int
    by: str
    status: ActionStatus
    commentary: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class MoveDate:
    """A new due date: moved at once by the lead or an admin, requested by anyone else."""

    days_ago: int
    by: str
    to: int
    reason: str


@dataclass(frozen=True)
class Decide:
    """The lead officer's decision on the action's waiting date request."""

    days_ago: int
    by: str
    approve: bool
    note: str


@dataclass(frozen=True)
class PlannedAction:
    """An action, planned by the item's lead officer `added` days ago, and what happened to it."""

    description: str
    owner: str
    due: int
    added: int
    steps: tuple[Progress | MoveDate | Decide, ...] = ()


@dataclass(frozen=True)
class Override:
    """The lead officer sets the item's RAG by hand, with a reason."""

    days_ago: int
    by: str
    rag: Rag
    reason: str


@dataclass(frozen=True)
class NewTarget:
    """The item's target date is changed by editing the item."""

    days_ago: int
    by: str
    to: int


@dataclass(frozen=True)
class MarkComplete:
    """The item's outcome is evidenced and it is marked complete."""

    days_ago: int
    by: str
    evidence: str


@dataclass(frozen=True)
class SignOff:
    """A second person signs the item off."""

    days_ago: int
    by: str
    comment: str


@dataclass(frozen=True)
class SendBack:
    """A second person sends the item back at sign-off, saying what is missing."""

    days_ago: int
    by: str
    reason: str


@dataclass(frozen=True)
class PlannedItem:
    """A tracked item for the finding with key `finding`, set up `created` days ago; `lead`
    "" has no lead officer yet, and `target` None no target date."""

    finding: str
    title: str
    lead: str
    theme: str
    priority: Priority
    target: int | None
    measure: str
    created: int
    actions: tuple[PlannedAction, ...]
    events: tuple[Override | NewTarget | MarkComplete | SignOff | SendBack, ...] = ()


PEOPLE = (
    Person("priya", "Administrator", "Priya Shah", "priya.shah@northshire.example",
           Role.ADMIN, "Performance and Improvement Manager", "01632 960102"),
    Person("daniel", "Safeguarding manager, front door", "Daniel Okafor",
           "daniel.okafor@northshire.example", Role.MANAGER,
           "Head of Front Door and MASH", "01632 960215"),
    Person("ruth", "Safeguarding manager, quality assurance", "Ruth Ellison",
           "ruth.ellison@northshire.example", Role.MANAGER,
           "Head of Quality Assurance and Safeguarding", "01632 960347"),
    Person("margaret", "Committee member", "Councillor Margaret Finch",
           "margaret.finch@northshire.example", Role.COMMITTEE_MEMBER,
           "Chair, Children's Services Scrutiny Committee", "01632 960480"),
    Person("sarah", "Partner, Northshire Police", "Sarah Kaur",
           "sarah.kaur@police.northshire.example", Role.MANAGER,
           "Detective Inspector, Public Protection Unit", "01632 960593",
           organisation="Northshire Police"),
)

B = NEWER_ITEMS_CREATED
A = OLDER_ITEMS_CREATED

NEWER_ITEMS = (
    PlannedItem(
        "contact-screening", "Timeliness of contact screening in the MASH", "daniel",
        "Front door", Priority.HIGH, 45,
        "Every contact screened within one working day in at least 95% of cases for three "
        "months running, and no contact waiting more than two working days.",
        B,
        (
            PlannedAction(
                "Set up a daily screening rota so that every contact is screened within one "
                "working day", "daniel", -100, B,
                (Progress(108, "daniel", IN_PROGRESS,
                          "Rota drafted with the MASH team managers; it starts on Monday."),
                 Progress(99, "daniel", COMPLETE,
                          "Rota in place for a fortnight. Contacts screened within one working "
                          "day are up from 61% to 88%.", f"{INTRANET}/mash/screening-rota")),
            ),
            PlannedAction(
                "Clear the backlog of contacts waiting to be screened, with agency social "
                "workers funded for eight weeks", "daniel", -80, B,
                (Progress(105, "daniel", IN_PROGRESS,
                          "Funding agreed by the Director; two agency social workers are being "
                          "recruited."),
                 MoveDate(83, "daniel", -60,
                          "The two agency social workers started three weeks later than "
                          "planned."),
                 Progress(62, "daniel", COMPLETE,
                          "Backlog cleared. Fewer than 20 contacts have been waiting at the end "
                          "of each day for two weeks.")),
            ),
            PlannedAction(
                "Send a daily report of contacts waiting, by age, to the head of service and "
                "the Director", "priya", -90, B,
                (Progress(92, "priya", COMPLETE,
                          "The report goes out at 9am every working day.",
                          f"{INTRANET}/performance/mash-daily"),),
            ),
            PlannedAction(
                "Place a police detective sergeant in the MASH every weekday to share "
                "information at screening", "sarah", -18, B - 2,
                (Progress(75, "sarah", IN_PROGRESS,
                          "A detective sergeant now works in the MASH on Mondays, Tuesdays and "
                          "Wednesdays."),
                 Progress(30, "sarah", IN_PROGRESS,
                          "Cover on Thursdays and Fridays depends on the force's staffing "
                          "review."),
                 MoveDate(3, "sarah", 30,
                          "The force's staffing review reports at the end of next month; a "
                          "full-time post cannot be confirmed before then.")),
            ),
            PlannedAction(
                "Revise the MASH screening guidance and train all screening staff", "daniel",
                4, B - 2,
                (Progress(40, "daniel", IN_PROGRESS,
                          "Guidance revised and agreed by the safeguarding partnership."),
                 Progress(6, "daniel", IN_PROGRESS,
                          "Four of the six training sessions held; the last two are this "
                          "week.")),
            ),
            PlannedAction(
                "Audit 30 contacts each month to check that decisions are timely and safe",
                "ruth", 40, B - 2,
                (Progress(80, "ruth", IN_PROGRESS,
                          "First monthly audit: 24 of 30 decisions timely, all of them safe."),
                 Progress(50, "ruth", IN_PROGRESS, "Second audit: 27 of 30 decisions timely."),
                 MoveDate(15, "ruth", 70,
                          "The quality assurance team is two auditors short until the new "
                          "posts start."),
                 Decide(14, "daniel", False,
                        "The committee will look for three months of audit results at its "
                        "next meeting. Keep the date: the MASH team managers will audit ten "
                        "contacts a month to help."),
                 Progress(2, "ruth", IN_PROGRESS,
                          "Third audit: 28 of 30 decisions timely. The two late ones came in "
                          "over a bank holiday weekend.")),
            ),
            PlannedAction(
                "Report progress on the timeliness of screening to the Children's Services "
                "Scrutiny Committee", "priya", 12, 60,
            ),
            PlannedAction(
                "Agree a single online contact form with health and education partners",
                "daniel", -4, B - 2,
                (Progress(45, "daniel", IN_PROGRESS,
                          "Draft form shared with the designated nurse and the education "
                          "safeguarding lead."),
                 Progress(9, "daniel", IN_PROGRESS,
                          "Health have asked for one more field; sign-off expected next "
                          "week.")),
            ),
        ),
    ),
    PlannedItem(
        "assessment-timeliness", "Timeliness of assessments", "daniel", "Assessment",
        Priority.MEDIUM, 150,
        "At least 85% of assessments completed within 45 working days, and the reason for "
        "every late assessment recorded on the child's file.",
        B,
        (
            PlannedAction(
                "Produce a weekly list of assessments nearing 45 working days for each team "
                "manager to review", "daniel", -95, B,
                (Progress(96, "daniel", COMPLETE,
                          "List built and in use in all four assessment teams."),),
            ),
            PlannedAction(
                "Record the reason on the child's file whenever an assessment goes beyond 45 "
                "working days", "daniel", -70, B,
                (Progress(90, "daniel", IN_PROGRESS,
                          "Mandatory field added to the assessment form."),
                 Progress(71, "daniel", COMPLETE,
                          "Reasons recorded for all 14 late assessments last month.")),
            ),
            PlannedAction(
                "Recruit two permanent social workers to the assessment teams", "daniel", -30, B,
                (Progress(85, "daniel", IN_PROGRESS, "Posts advertised."),
                 MoveDate(33, "daniel", 25,
                          "The first round did not appoint. The posts have been re-advertised "
                          "with the market supplement."),
                 Progress(8, "daniel", IN_PROGRESS,
                          "Interviews held; one offer made and accepted.")),
            ),
            PlannedAction(
                "Dip-sample 20 assessments a month for timeliness and quality", "ruth", 60, B,
                (Progress(70, "ruth", IN_PROGRESS,
                          "First dip sample: 15 of 20 completed within 45 working days."),
                 Progress(20, "ruth", IN_PROGRESS,
                          "Latest dip sample: 17 of 20 within timescale.")),
            ),
            PlannedAction(
                "Review caseloads in the assessment teams and rebalance them where needed",
                "daniel", 9, 40,
            ),
        ),
    ),
    PlannedItem(
        "domestic-abuse-notifications", "Domestic abuse notifications from the police",
        "daniel", "Partnership working", Priority.HIGH, 90,
        "95% of police notifications of domestic abuse involving children reach the MASH "
        "within 24 hours, each with the children's details and the risk level.",
        B,
        (
            PlannedAction(
                "Agree a 24-hour standard for police notifications of domestic abuse where "
                "children are present", "sarah", -85, B,
                (Progress(88, "sarah", COMPLETE,
                          "Standard agreed by the force and the safeguarding partnership.",
                          f"{INTRANET}/partnership/domestic-abuse-notifications"),),
            ),
            PlannedAction(
                "Add the children's details and the risk level to the police notification form",
                "sarah", -45, B,
                (Progress(80, "sarah", IN_PROGRESS,
                          "Change specified and sent to the force's IT team."),
                 MoveDate(50, "sarah", -3,
                          "The change has to go out in the force's next IT release, which is "
                          "later than planned."),
                 Decide(48, "daniel", True,
                        "Agreed. The MASH checks notifications by hand until then."),
                 Progress(10, "sarah", IN_PROGRESS,
                          "Release tested; the force's IT team has still to confirm the "
                          "go-live date.")),
            ),
            PlannedAction(
                "Hold a daily domestic abuse triage meeting with police, health and Northshire "
                "Women's Aid", "daniel", -50, B,
                (Progress(100, "daniel", IN_PROGRESS, "Meeting trialled twice a week."),
                 Progress(52, "daniel", COMPLETE,
                          "The meeting has run every working day since the start of the "
                          "month.")),
            ),
            PlannedAction(
                "Report each month the share of notifications received within 24 hours",
                "priya", 20, 90,
                (Progress(60, "priya", IN_PROGRESS, "First month: 71% within 24 hours."),
                 Progress(25, "priya", IN_PROGRESS, "Second month: 79% within 24 hours.")),
            ),
            PlannedAction(
                "Run a joint training day for officers and social workers on the new "
                "notification form", "sarah", -20, 100,
                (Progress(25, "daniel", CANCELLED,
                          "Replaced by short briefings at police shift changes, which reach "
                          "more officers: agreed with Sarah Kaur."),),
            ),
            PlannedAction(
                "Brief officers on the new notification form at shift changes", "sarah", 4, 25,
            ),
        ),
    ),
    PlannedItem(
        "supervision", "Quality of supervision", "ruth", "Workforce", Priority.MEDIUM, 120,
        "Audits find reflective discussion and clear actions for each child in at least 80% "
        "of supervision records.",
        B,
        (
            PlannedAction(
                "Revise the supervision template to prompt reflection and set actions for each "
                "child", "ruth", -90, B,
                (Progress(93, "ruth", COMPLETE, "New template in use from the start of the month.",
                          f"{INTRANET}/practice/supervision-template"),),
            ),
            PlannedAction(
                "Train all team managers in reflective supervision", "ruth", -50, B,
                (MoveDate(55, "ruth", -20,
                          "The trainer was unavailable; the course has been rebooked."),
                 Progress(30, "ruth", IN_PROGRESS, "First group of team managers trained."),
                 Progress(22, "ruth", COMPLETE, "All 18 team managers trained.")),
            ),
            PlannedAction(
                "Audit ten supervision records each quarter", "ruth", 30, B,
                (Progress(12, "ruth", NOT_STARTED,
                          "First quarterly audit booked for next month."),),
            ),
            PlannedAction(
                "Survey social workers about the quality of their supervision", "priya", 50, 60,
            ),
        ),
    ),
    PlannedItem(
        "identity-in-records", "Children's identity in case records", "ruth", "Recording",
        Priority.HIGH, 100,
        "Ethnicity, religion, first language and disability recorded for at least 95% of "
        "children, and themed audits show identity considered in assessments.",
        B,
        (
            PlannedAction(
                "Make ethnicity, religion, first language and disability mandatory fields at "
                "referral", "priya", -60, B,
                (Progress(90, "priya", IN_PROGRESS,
                          "Change requested from the system supplier."),
                 Progress(61, "priya", COMPLETE,
                          "The fields have been mandatory since the last system release.")),
            ),
            PlannedAction(
                "Write practice guidance on considering identity in assessments", "ruth", -16, B,
                (Progress(60, "ruth", IN_PROGRESS,
                          "Draft written with the participation team."),
                 Progress(20, "ruth", IN_PROGRESS,
                          "The draft is with the Children in Care Council for comment; their "
                          "meeting was postponed.")),
            ),
            PlannedAction("Carry out a themed audit of identity in 25 assessments", "ruth", 35, B),
            PlannedAction(
                "Report each month how complete the identity fields are", "priya", 3, 60,
                (Progress(26, "priya", IN_PROGRESS, "82% complete this month, up from 64%."),),
            ),
        ),
    ),
    PlannedItem(
        "views-in-plans", "Children's views in plans", "ruth", "Participation",
        Priority.HIGH, 130,
        "In at least 80% of audited cases, plans record children's views in their own words "
        "and show what changed as a result.",
        B,
        (
            PlannedAction(
                "Add a 'my words' section to assessments and plans", "ruth", -70, B,
                (Progress(72, "ruth", COMPLETE,
                          "The section is live in the case recording system."),),
            ),
            PlannedAction(
                "Ask the Children in Care Council to review the new plan layout", "ruth", -35, B,
                (Progress(38, "ruth", COMPLETE,
                          "Reviewed; their suggestions are now in the layout."),),
            ),
            PlannedAction(
                "Train social workers in direct work with children using the new toolkit",
                "ruth", 11, 90,
                (Progress(15, "ruth", NOT_STARTED,
                          "Dates agreed with the trainer; invitations go out next week."),),
            ),
            PlannedAction("Carry out a themed audit of children's views in plans", "ruth", 70, B),
        ),
    ),
    PlannedItem(
        "medicals", "Child protection medicals out of hours", "daniel", "Partnership working",
        Priority.HIGH, 80,
        "Every child who needs a child protection medical is seen within 24 hours, day or "
        "night, and the time taken is recorded.",
        B,
        (
            PlannedAction(
                "Agree an out-of-hours paediatric rota with Northshire Hospitals NHS Trust",
                "daniel", 21, B,
                (Progress(70, "daniel", IN_PROGRESS,
                          "Rota agreed in principle; it needs a second named paediatrician."),
                 Progress(7, "daniel", IN_PROGRESS,
                          "The trust is recruiting; interviews are later this month.")),
            ),
            PlannedAction(
                "Publish a flowchart for arranging medicals, for daytime teams and the "
                "emergency duty team", "daniel", -40, B,
                (Progress(42, "daniel", COMPLETE,
                          "Flowchart published and explained to every team.",
                          f"{INTRANET}/practice/child-protection-medicals"),),
            ),
            PlannedAction(
                "Record the time from request to medical for every child", "priya", -30, B,
                (Progress(31, "priya", COMPLETE,
                          "Field added; the times are reported every month."),),
            ),
            PlannedAction(
                "Review every case where a child waited more than 24 hours for a medical",
                "ruth", 45, 90,
            ),
        ),
        (
            Override(5, "daniel", Rag.AMBER,
                     "Every action is on track, but the out-of-hours rota depends on the trust "
                     "appointing a second paediatrician, which may slip. Amber until the post "
                     "is filled."),
        ),
    ),
    PlannedItem(
        "duty-handover", "Handover from the emergency duty team", "daniel", "Front door",
        Priority.MEDIUM, 30,
        "Every overnight contact handed over to the daytime team is recorded on the child's "
        "file by 10am the next working day.",
        B,
        (
            PlannedAction(
                "Add a handover section to the emergency duty record", "daniel", -80, B,
                (Progress(82, "daniel", COMPLETE, "Section live."),),
            ),
            PlannedAction(
                "Hold a 9am handover call between the emergency duty team and the MASH every "
                "working day", "daniel", -70, B,
                (Progress(75, "daniel", COMPLETE, "The call takes place every working day."),),
            ),
            PlannedAction(
                "Buy a separate handover system", "priya", -50, B,
                (Progress(95, "priya", CANCELLED,
                          "Not needed: the new section of the emergency duty record does the "
                          "job."),),
            ),
            PlannedAction(
                "Audit handovers for four weeks", "ruth", -25, 75,
                (Progress(45, "ruth", IN_PROGRESS, "Audit started."),
                 Progress(18, "ruth", COMPLETE,
                          "96% of handovers recorded by 10am and the rest by noon.",
                          f"{INTRANET}/quality-assurance/handover-audit")),
            ),
        ),
        (
            MarkComplete(10, "daniel",
                         "All actions are complete. The four-week audit found 96% of overnight "
                         "handovers recorded on the child's file by 10am the next working day, "
                         "and the rest by noon. The daily handover call continues."),
        ),
    ),
    PlannedItem(
        "audit-learning", "Learning from case file audits", "ruth", "Quality assurance",
        Priority.MEDIUM, 160,
        "A quarterly learning report is published, and the themes it raises improve in the "
        "next quarter's audits.",
        B,
        (
            PlannedAction(
                "Follow up every audit graded 'requires improvement' within four weeks", "ruth",
                -50, B,
                (Progress(52, "ruth", COMPLETE,
                          "Follow-ups are in place and recorded in the audit tool."),),
            ),
            PlannedAction(
                "Bring audit findings together in a quarterly learning report", "ruth", -8, B,
                (Progress(40, "ruth", IN_PROGRESS,
                          "Layout agreed with the leadership team."),
                 Progress(11, "ruth", IN_PROGRESS,
                          "Report drafted; waiting for the last month's audit results.")),
            ),
            PlannedAction(
                "Moderate audit grades with senior managers", "priya", 13, 90,
                (Progress(24, "priya", IN_PROGRESS, "First moderation panel held."),),
            ),
            PlannedAction("Hold a practice learning event each quarter", "ruth", 55, B),
        ),
    ),
    PlannedItem(
        "step-down", "Step-down to early help", "ruth", "Early help", Priority.MEDIUM, 200,
        "Every family stepped down has a joint meeting before the case closes, and fewer than "
        "10% are referred again within six months.",
        B,
        (
            PlannedAction(
                "Agree a step-down protocol with the early help service", "ruth", -30, B,
                (Progress(70, "ruth", IN_PROGRESS, "Draft protocol shared."),
                 Progress(32, "ruth", COMPLETE, "Protocol signed off by both services.",
                          f"{INTRANET}/practice/step-down-protocol")),
            ),
            PlannedAction(
                "Hold a joint step-down meeting with every family before the social care case "
                "closes", "ruth", 26, 60,
                (Progress(27, "ruth", IN_PROGRESS,
                          "Meetings have started in two of the four areas."),),
            ),
            PlannedAction(
                "Track families stepped down and any referred again within six months",
                "priya", 10, B,
                (MoveDate(21, "priya", 40,
                          "The early help system change has moved to next quarter, so the "
                          "report cannot be built before then."),),
            ),
            PlannedAction("Ask families for feedback after step-down", "priya", 90, B),
        ),
    ),
    # Set up with the rest, then missed: nobody leads it and nothing is planned.
    PlannedItem(
        "return-interviews", "Return home interviews for children who go missing", "",
        "Missing children", Priority.MEDIUM, None, "", B, (),
    ),
)

OLDER_ITEMS = (
    PlannedItem(
        "contact-decisions", "Recording of management decisions on contacts", "daniel",
        "Front door", Priority.MEDIUM, -460,
        "Audits find that at least 90% of contact decisions give clear reasons that take "
        "account of the family's history.",
        A,
        (
            PlannedAction(
                "Introduce a decision template that prompts managers to consider the family's "
                "history", "daniel", -680, A,
                (Progress(700, "daniel", IN_PROGRESS,
                          "Template drafted with the MASH team managers."),
                 Progress(684, "daniel", COMPLETE, "Template live.")),
            ),
            PlannedAction(
                "Brief all MASH managers on recording the reasons for decisions", "daniel",
                -650, A,
                (Progress(655, "daniel", COMPLETE, "All managers briefed."),),
            ),
            PlannedAction(
                "Audit 50 contact decisions for the quality of the reasons recorded", "ruth",
                -520, 700,
                (Progress(540, "ruth", IN_PROGRESS, "Audit under way."),
                 Progress(515, "ruth", COMPLETE,
                          "46 of 50 decisions explained the reasons clearly and took account "
                          "of the family's history.",
                          f"{INTRANET}/quality-assurance/contact-decisions-audit")),
            ),
        ),
        (
            MarkComplete(450, "daniel",
                         "The audit of 50 contact decisions found 46 with clear reasons that "
                         "take account of the family's history, and monthly dip samples since "
                         "then show the same standard."),
            SignOff(440, "priya", "Evidence checked against the audit report."),
        ),
    ),
    PlannedItem(
        "identity-recording", "Recording of children's identity", "ruth", "Recording",
        Priority.MEDIUM, -400,
        "Ethnicity, first language, religion and disability recorded for at least 90% of "
        "children.",
        A,
        (
            PlannedAction(
                "Add ethnicity, religion, first language and disability fields to the referral "
                "form", "priya", -620, A,
                (Progress(625, "priya", COMPLETE, "Fields added, optional for now."),),
            ),
            PlannedAction(
                "Audit 40 case files for how identity is recorded and considered", "ruth",
                -300, A,
                (Progress(320, "ruth", IN_PROGRESS, "Audit tool agreed."),
                 MoveDate(305, "ruth", -120,
                          "The auditors have been moved to help clear the MASH backlog."),
                 MoveDate(125, "ruth", -45,
                          "Moved again so the audit can cover what the new inspection found."),
                 Progress(50, "ruth", IN_PROGRESS, "22 of 40 files audited."),
                 Progress(30, "ruth", COMPLETE,
                          "All 40 files audited: identity recorded in 31 of them, and "
                          "considered in the assessment in 24.",
                          f"{INTRANET}/quality-assurance/identity-audit")),
            ),
        ),
        (
            MarkComplete(21, "ruth",
                         "Both actions are complete: the fields are on the referral form, and "
                         "the audit of 40 case files found identity recorded in 31 of them."),
            SendBack(16, "priya",
                     "The audit covers 40 files, not whether identity is recorded for 90% of "
                     "children. Add this quarter's figures from the performance report."),
        ),
    ),
    PlannedItem(
        "childrens-views", "Children's views in assessments", "ruth", "Participation",
        Priority.MEDIUM, -380,
        "Children's views recorded in their own words in at least 80% of audited "
        "assessments.",
        A,
        (
            PlannedAction(
                "Introduce a template for recording children's views in their own words",
                "ruth", -600, A,
                (Progress(602, "ruth", COMPLETE,
                          "Template available in the case recording system."),),
            ),
            PlannedAction(
                "Commission an advocacy service to gather the views of younger children",
                "priya", -300, A,
                (Progress(330, "priya", CANCELLED,
                          "Not needed: the existing advocacy contract already covers children "
                          "under eight."),),
            ),
            PlannedAction(
                "Train social workers in direct work with children", "ruth", -20, 200,
                (Progress(40, "ruth", NOT_STARTED,
                          "The course is being redesigned with the new inspection's action on "
                          "children's views."),),
            ),
        ),
    ),
    PlannedItem(
        "family-feedback", "Using feedback from families", "ruth", "Quality assurance",
        Priority.LOW, -365,
        "Feedback from families and partners is analysed every quarter, and the council "
        "publishes what it changed as a result.",
        A,
        (
            PlannedAction(
                "Survey families after every assessment", "priya", -600, A,
                (Progress(640, "priya", IN_PROGRESS, "First survey sent."),
                 Progress(598, "priya", COMPLETE,
                          "The survey now goes out automatically when an assessment "
                          "closes.")),
            ),
            PlannedAction(
                "Report an analysis of feedback from families and partners to the leadership "
                "team each quarter", "priya", -2, 100,
                (Progress(60, "priya", IN_PROGRESS, "First report presented."),
                 Progress(7, "priya", IN_PROGRESS,
                          "Second report drafted; it is on the leadership team's agenda next "
                          "week.")),
            ),
            PlannedAction(
                "Publish a 'you said, we did' page on the council's website", "ruth", 8, 100,
            ),
        ),
        (NewTarget(105, "ruth", 60),),
    ),
    PlannedItem(
        "recording-system", "Case recording system", "priya", "Recording", Priority.HIGH, 75,
        "The new case recording system is live, and staff record visits within two working "
        "days in at least 90% of cases.",
        A,
        (
            PlannedAction(
                "Agree fixes with the supplier for slow running at busy times", "priya", -650, A,
                (Progress(660, "priya", COMPLETE,
                          "Server upgrade done; response times now meet the agreed "
                          "standard."),),
            ),
            PlannedAction(
                "Write the business case for replacing the case recording system", "priya",
                -400, 600,
                (Progress(410, "priya", COMPLETE, "Approved by the cabinet."),),
            ),
            PlannedAction(
                "Go live with the new case recording system", "priya", -60, 400,
                (Progress(300, "priya", IN_PROGRESS, "Supplier appointed; build under way."),
                 MoveDate(150, "priya", 60,
                          "The supplier moved go-live to allow two more rounds of data "
                          "migration testing."),
                 Progress(12, "priya", IN_PROGRESS,
                          "Final data migration test passed; go-live plan agreed.")),
            ),
            PlannedAction(
                "Train all children's social care staff on the new system", "daniel", 70, 150,
            ),
        ),
    ),
)


# --- Playing the plan back ------------------------------------------------------------------
