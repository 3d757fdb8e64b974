"""A fictional council with the people an action plan names, and an inspection to import to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.conftest import sign_in_as
from tests.factories import (
    AdminFactory,
    CommitteeMemberFactory,
    CouncilFactory,
    InspectionFactory,
    UserFactory,
)


@dataclass
class Northshire:
    council: object
    admin: object
    lead: object
    owner: object
    partner: object
    inspection: object


@pytest.fixture
def northshire(app):
    council = CouncilFactory(name="Northshire County Council")
    return Northshire(
        council=council,
        admin=AdminFactory(council=council, name="Alex Admin",
                           email="alex.admin@northshire.example"),
        lead=UserFactory(council=council, name="Robin Lead", email="robin.lead@northshire.example"),
        owner=UserFactory(council=council, name="Sam Owner", email="sam.owner@northshire.example"),
        partner=UserFactory(council=council, name="Jo Partner", organisation="Northshire Police",
                            email="jo.partner@police.example"),
        inspection=InspectionFactory(council=council, letter_date=date(2026, 7, 27)),
    )


@pytest.fixture
def admin_client(client, northshire):
    sign_in_as(client, northshire.admin)
    return client


@pytest.fixture
def councillor(northshire):
    return CommitteeMemberFactory(council=northshire.council, name="Councillor Pat Member")
