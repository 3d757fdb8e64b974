"""The council before the browser journey: its people and its scrutiny committee, written with
the app's own services into a database built by the migrations.

`python tests/browser/seed.py PEOPLE_JSON COMMITTEE_NAME`, with the served app's TRACKER_*
environment; PEOPLE_JSON maps admin, manager and member to [name, email, password].
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

from flask_migrate import upgrade

from tracker import create_app
from tracker.accounts.models import Role
from tracker.accounts.service import create_user, get_or_create_council
from tracker.committees.service import add_meeting, save_committee
from tracker.extensions import db

ROLES = {
    "admin": (Role.ADMIN, "Performance officer"),
    "manager": (Role.MANAGER, "Safeguarding manager"),
    "member": (Role.COMMITTEE_MEMBER, "Councillor"),
}


def main(people_json: str, committee_name: str) -> None:
    people = json.loads(people_json)
    app = create_app()
    with app.app_context():
        upgrade()
        council = get_or_create_council("Northshire County Council")
        users = {
            key: create_user(council=council, name=name, email=email, password=password,
                             role=ROLES[key][0], job_title=ROLES[key][1])
            for key, (name, email, password) in people.items()
        }
        committee = save_committee(
            None, council_id=council.id, name=committee_name,
            report_of="Report of the Director of Children's Services",
            members=[users["member"]], inspections=[],
        )
        add_meeting(committee, date.today() + timedelta(days=40))
        db.session.commit()


if __name__ == "__main__":
    main(*sys.argv[1:])
