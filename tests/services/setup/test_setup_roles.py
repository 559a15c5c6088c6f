"""Who may shape the union tree and a day's booths, as a table: each role, at its own union and at another's.

(Accounts have their own table in test_accounts.py.)
"""

import itertools

import pytest

from app.models import OrgKind, Role
from app.services.setup import booth_passes, booth_staff, unions
from app.services.setup.unions import UnionFields
from tests.factories import account, org_named
from tests.services.setup.test_accounts import make_account, refusal

DEMO_USERNAMES = {Role.DISTRICT_ADMIN: "district", Role.ORG_ADMIN: "renhe", Role.BOOTH_STAFF: "booth",
                  Role.VIEWER: "viewer"}
_serial = itertools.count(1)


def union_of(place: str):
    return org_named("仁和镇" if place == "own" else "天竺镇")


def booth_of(seeded, place: str):
    return next(v for v in seeded.meeting.venues if v.host_org == union_of(place)).booths[0]


ACTIONS = {
    "create a union": lambda seeded, actor, place: unions.create_union(
        actor, UnionFields(f"新设街道{next(_serial)}", OrgKind.STREET, None)),
    "rename a union": lambda seeded, actor, place: unions.update_union(
        actor, union_of(place), UnionFields(f"改名镇{next(_serial)}", OrgKind.TOWN, 3)),
    "retire a union": lambda seeded, actor, place: unions.retire(actor, union_of(place)),
    "assign booth staff": lambda seeded, actor, place: booth_staff.assign(
        actor, booth_of(seeded, place), account("booth") if place == "own" else staff_of_tianzhu()),
    "issue a booth link": lambda seeded, actor, place: booth_passes.issue(actor, booth_of(seeded, place)),
}


def staff_of_tianzhu():
    """A booth staff account of 天竺镇, which may stand at 天竺镇's booths: only the actor's rights decide."""
    return make_account(Role.BOOTH_STAFF, org_named("天竺镇"))


def expected(role: Role, action: str, place: str) -> str:
    if role is Role.DISTRICT_ADMIN:
        return "allowed"
    if role is Role.ORG_ADMIN and action in ("assign booth staff", "issue a booth link") and place == "own":
        return "allowed"
    return "refused 403"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_who_may_change_unions_and_staff_booths_at_their_own_union_and_at_another(seeded, role, action):
    actor = account(DEMO_USERNAMES[role])
    observed = {place: refusal(lambda: ACTIONS[action](seeded, actor, place)) for place in ("own", "other")}  # noqa: B023
    assert observed == {place: expected(role, action, place) for place in ("own", "other")}
