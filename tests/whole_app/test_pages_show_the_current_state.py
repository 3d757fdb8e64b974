"""Every page is worked out when it is asked for: nothing seen earlier is shown again, so a
page that depends on the clock changes when the clock crosses a line, with no write between."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import sign_in_as
from tests.factories import ActionFactory

# The action was last touched 30 days before noon on 22 November 2026, less ten minutes.
LAST_TOUCHED = datetime(2026, 10, 23, 11, 50, tzinfo=UTC)


def test_an_action_seen_at_1140_and_again_at_noon_shows_it_crossed_the_not_updated_line(
    client, council, fixed_time
):
    action = ActionFactory(item__finding__inspection__council=council,
                           last_updated_at=LAST_TOUCHED, item__last_updated_at=LAST_TOUCHED)
    fixed_time.move_to(datetime(2026, 11, 22, 11, 40, tzinfo=UTC))
    sign_in_as(client, action.item.lead_officer)
    assert "Not updated" not in client.get(f"/actions/{action.id}").text
    assert "Not updated" not in client.get(f"/items/{action.item.id}").text

    fixed_time.move_to(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    assert "Not updated" in client.get(f"/actions/{action.id}").text
    assert "Not updated" in client.get(f"/items/{action.item.id}").text
