"""Who may do what. The same named predicates guard routes and decide what templates show.

Every view declares its rule with `@allow(...)`; a test walks the URL map and fails on any
route without one. Object-level rules run after the object is loaded, so a missing object is a
404 before a forbidden one is a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort, g, jsonify, request
from flask_login import current_user

from tracker.accounts.models import Role

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.evidence.models import EvidenceFile
    from tracker.items.models import Action, CancellationRequest, DueDateChange, Item
    from tracker.questions.models import MemberQuestion

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
# The JSON API: a personal access token in `Authorization: Bearer …`, never the session.
API_TOKEN = "api token"  # noqa: S105 (a rule's name, not a secret)
ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.MANAGER})
ADMIN_ONLY = frozenset({Role.ADMIN})


def allow(roles: frozenset[Role] | str) -> Callable[[F], F]:
    """Declare which roles may reach a view (or `PUBLIC`); others get 403, strangers sign in.

    `API_TOKEN` views are reached with a personal access token instead of the session; the
    token's owner is `flask.g.api_user`, and a request without a working token gets 401."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if roles == API_TOKEN:
                user = _api_user()
                if user is None:
                    return _api_refusal()
                g.api_user = user
            elif roles != PUBLIC:
                if not current_user.is_authenticated:
                    from tracker.extensions import login_manager

                    return login_manager.unauthorized()
                if current_user.role not in roles:
                    abort(403)
            return view(*args, **kwargs)

        guarded.access_rule = roles  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def _api_user() -> User | None:
    from tracker import clock
    from tracker.access.models import TokenPurpose
    from tracker.access.service import user_for_token

    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return user_for_token(secret.strip(), TokenPurpose.API, now=clock.now())


def _api_refusal() -> Any:
    # An RFC 9457 problem, as every other error of the API.
    response = jsonify(
        type="about:blank", status=401, title="Unauthorised",
        detail="Send a personal access token as 'Authorization: Bearer <token>'. Make one on "
               "the tracker's API tokens page; a revoked token no longer works.")
    response.status_code = 401
    response.mimetype = "application/problem+json"
    response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def require(permitted: bool) -> None:
    """Stop the request with 403 unless an object-level rule allows it."""
    if not permitted:
        abort(403)


def is_admin(user: User) -> bool:
    """Administrators configure the tracker and may change anything."""
    return user.role is Role.ADMIN


def can_manage_users(user: User) -> bool:
    """Only administrators add people, change roles and deactivate accounts."""
    return is_admin(user)


def can_manage_committees(user: User) -> bool:
    """Only administrators set up committees, members and meeting dates."""
    return is_admin(user)


def can_add_item(user: User) -> bool:
    """Administrators create tracked items and assign their lead officers."""
    return is_admin(user)


def is_lead_officer(user: User, item: Item) -> bool:
    """The item's lead officer, if the user is a manager."""
    return user.role is Role.MANAGER and item.lead_officer_id == user.id


def can_edit_item(user: User, item: Item) -> bool:
    """An item's details are edited by an administrator or its lead officer."""
    return is_admin(user) or is_lead_officer(user, item)


def can_change_lead_officer(user: User) -> bool:
    """Assigning owners is an administrator's job."""
    return is_admin(user)


def can_add_action(user: User, item: Item) -> bool:
    """Actions are planned by an administrator or the item's lead officer."""
    return can_edit_item(user, item)


def can_edit_action(user: User, action: Action) -> bool:
    """Changing what an action is, or who owns it, is for the item's lead or an administrator."""
    return can_edit_item(user, action.item)


def can_update_action(user: User, action: Action) -> bool:
    """Progress (status, commentary, evidence) comes from the owner, the lead or an admin."""
    if user.role is Role.COMMITTEE_MEMBER:
        return False
    return can_edit_item(user, action.item) or action.owner_id == user.id


def can_move_due_date_directly(user: User, action: Action) -> bool:
    """The lead officer and admins move dates themselves; an owner has to ask."""
    return can_edit_item(user, action.item)


def can_decide_due_date_change(user: User, change: DueDateChange) -> bool:
    """The item's lead officer (or an admin) approves or refuses a requested date change."""
    return can_edit_item(user, change.action.item)


def can_cancel_action_directly(user: User, action: Action) -> bool:
    """The item's lead officer or an administrator cancels an action at once (with a reason).
    A partner never cancels, even one who leads the item: an administrator does."""
    return not user.is_partner and can_edit_item(user, action.item)


def can_ask_to_cancel_action(user: User, action: Action) -> bool:
    """Who reaches the cancelling page: those who cancel directly, and the action's owner, who
    asks the lead officer instead. Partners never cancel nor ask to."""
    if user.is_partner or user.role is Role.COMMITTEE_MEMBER:
        return False
    return can_cancel_action_directly(user, action) or action.owner_id == user.id


def can_decide_cancellation(user: User, request: CancellationRequest) -> bool:
    """The item's lead officer (or an admin, never a partner) agrees to or refuses an owner's
    request to cancel an action."""
    return can_cancel_action_directly(user, request.action)


def can_decide_request(user: User, request: DueDateChange | CancellationRequest) -> bool:
    """Whoever decides a request of either kind (see the two rules above)."""
    from tracker.items.models import DueDateChange

    if isinstance(request, DueDateChange):
        return can_decide_due_date_change(user, request)
    return can_decide_cancellation(user, request)


def can_see_request(user: User, request: DueDateChange | CancellationRequest) -> bool:
    """A request's page is for whoever decides it, and for the person who made it."""
    return can_decide_request(user, request) or request.requested_by_id == user.id


def can_withdraw_request(user: User, request: DueDateChange | CancellationRequest) -> bool:
    """A request waiting for the lead officer is withdrawn by the person who made it (or by an
    administrator, who may change anything: for someone who has left, say)."""
    return request.is_waiting and (request.requested_by_id == user.id or is_admin(user))


def can_override_rag(user: User, item: Item) -> bool:
    """A manual RAG needs the lead officer's or an admin's judgement, with a written reason."""
    return can_edit_item(user, item)


def can_mark_item_complete(user: User, item: Item) -> bool:
    """The lead officer or an admin says an item's outcome is achieved."""
    return can_edit_item(user, item)


def can_sign_off_item(user: User, item: Item) -> bool:
    """A second person signs off: an admin or the lead officer, never the one who marked it."""
    if not can_edit_item(user, item):
        return False
    return item.marked_complete_by_id != user.id


def can_import_inspections(user: User) -> bool:
    """Importing an inspection letter creates findings and items: an administrator's job."""
    return is_admin(user)


def can_manage_data_protection(user: User) -> bool:
    """How long inspections are kept, and anonymising a person: an administrator's job."""
    return is_admin(user)


def can_mark_plan_submitted(user: User) -> bool:
    """Recording that the action plan went to the inspectorate is an administrator's job."""
    return is_admin(user)


def can_make_evidence_pack(user: User) -> bool:
    """Evidence packs, for the council's submission to the inspectorate, are made by staff."""
    return user.role in STAFF


def can_record_question(user: User) -> bool:
    """Members' questions are recorded, assigned and reassigned by an administrator, as the
    committee's clerk."""
    return is_admin(user)


def can_edit_question(user: User, question: MemberQuestion) -> bool:
    """An administrator changes a question, or who is to answer it, until it is answered."""
    return is_admin(user) and not question.is_answered


def can_answer_question(user: User, question: MemberQuestion) -> bool:
    """The officer assigned to a question writes its answer, and corrects it afterwards; an
    administrator may do either for them. Committee members ask; they never answer."""
    if user.role is Role.COMMITTEE_MEMBER:
        return False
    return is_admin(user) or question.officer_id == user.id


def can_add_item_evidence(user: User, item: Item) -> bool:
    """Files and links as evidence of an item itself come from its lead officer or an admin
    (an action's come with its progress update: `can_update_action`)."""
    return can_edit_item(user, item)


def can_open_evidence_file(user: User, evidence: EvidenceFile) -> bool:
    """Administrators and managers of the file's council open it; a partner signed in only a
    file of an action they own or an item they lead. Committee members never do (they see
    that it exists)."""
    if user.council_id != evidence.council_id or user.role not in (Role.ADMIN, Role.MANAGER):
        return False
    if not user.is_partner:
        return True
    return ((evidence.action is not None and evidence.action.owner_id == user.id)
            or evidence.item.lead_officer_id == user.id)
