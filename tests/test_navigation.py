"""The navigation highlights the section each page belongs to."""

import re

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, AdminFactory, CommitteeFactory
from tracker.web import nav_section


def _active(page: str) -> list[str]:
    return re.findall(r'govuk-service-navigation__item--active">\s*<a[^>]*>\s*'
                      r'(?:<strong[^>]*>)?\s*([^<]+?)\s*<', page)


def test_the_update_form_is_under_my_actions_and_the_schedule_under_committees(client):
    action = ActionFactory()
    admin = AdminFactory(council=action.item.finding.inspection.council)
    committee = CommitteeFactory(council_id=admin.council_id)
    sign_in_as(client, admin)

    assert _active(client.get(f"/actions/{action.id}/update").get_data(as_text=True)) == [
        "My actions"]
    assert _active(client.get(f"/committees/{committee.id}/report/schedule")
                   .get_data(as_text=True)) == ["Committees"]
    assert _active(client.get(f"/items/{action.item.id}").get_data(as_text=True)) == ["Items"]
    assert _active(client.get("/reports").get_data(as_text=True)) == ["Reports"]
    assert _active(client.get("/account").get_data(as_text=True)) == []


def test_every_page_belongs_to_one_section_by_its_blueprint_unless_named():
    assert nav_section("plan_import.mapping") == "inspections"
    assert nav_section("questions.answer_question") == "my actions"
    assert nav_section("questions.view_question") == "committees"
    assert nav_section("evidence.view_pack") == "items"
    assert nav_section("reminders.pause_for_user") == "users"
    assert nav_section(None) == ""


def test_the_navigation_offers_each_person_the_sections_they_may_use(app):
    from tests.factories import UserFactory
    from tracker.accounts.models import Role
    from tracker.web import navigation

    with app.test_request_context("/items"):
        def words(role: Role) -> list[str]:
            return [link.text for link in navigation(UserFactory(role=role), "items.list_items")]

        assert words(Role.ADMIN) == ["Dashboard", "My actions", "Items", "Inspections",
                                     "Committees", "Reports", "Users", "Reminders"]
        assert words(Role.MANAGER) == ["Dashboard", "My actions", "Items", "Inspections",
                                       "Committees", "Reports"]
        assert words(Role.COMMITTEE_MEMBER) == ["Dashboard", "Items", "Inspections",
                                                "Committees", "Reports"]
        links = navigation(UserFactory(role=Role.MANAGER), "items.update_action")
        assert [link.text for link in links if link.active] == ["My actions"]
        assert links[0].href == "/"
