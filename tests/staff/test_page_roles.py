"""access.PAGE_ROLES as a table: every signed-in page × every role, refused roles get 403, nothing is missing."""

import pytest
from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.models import DisplayLink, Role
from app.services import access
from app.services.setup import booth_passes, entry_codes
from tests.factories import account, make_application, make_enterprise

USERNAMES = {Role.DISTRICT_ADMIN: "district", Role.ORG_ADMIN: "renhe", Role.BOOTH_STAFF: "booth",
             Role.VIEWER: "viewer"}
PAGES = sorted(access.PAGE_ROLES)


def page_url(app, seeded, endpoint: str) -> tuple[str, str]:
    """A URL of the page on renhe's own records (so only the role decides), and its method."""
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    code = next(c for c in entry_codes.active_codes(seeded.meeting) if c.venue_id == venue.id)
    values = {
        "meeting_id": seeded.meeting.id, "venue_id": venue.id, "booth_id": venue.booths[0].id,
        "code": code.code, "image_format": "png", "application_id": make_application(venue).id,
        "enterprise_id": make_enterprise(venue.host_org, "仁和测试企业").id,
        "link_id": db.session.scalar(select(DisplayLink.id)),
        "org_id": venue.host_org_id, "user_id": account("booth").id,
        "pass_id": booth_passes.issue(account("district"), venue.booths[0]).id,
    }
    rule = next(app.url_map.iter_rules(endpoint))
    with app.test_request_context():
        url = url_for(endpoint, **{name: values[name] for name in rule.arguments})
    return url, "GET" if "GET" in rule.methods else "POST"


def status_of(session, url: str, method: str) -> int:
    return (session.get(url) if method == "GET" else session.post_form(url, {})).status_code


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_is_refused_exactly_the_pages_the_table_leaves_it_out_of(app, staff_login, seeded, role):
    session = staff_login(USERNAMES[role])
    refused = {page for page in PAGES if role not in access.PAGE_ROLES[page]}

    # Allowed POSTs would change data (and /logout would end the session), so only GETs are tried for them.
    tried = {page: page_url(app, seeded, page) for page in PAGES}
    observed = {page for page, (url, method) in tried.items()
                if (page in refused or method == "GET") and status_of(session, url, method) == 403}

    if role is Role.DISTRICT_ADMIN:
        assert observed == refused  # the district's scope is everything: only the table can refuse it
    else:
        assert observed >= refused  # within an allowed page, a record outside the user's scope is 403 too


def test_every_page_is_in_the_role_table_or_public(app):
    endpoints = set(app.view_functions)
    unlisted = {e for e in endpoints - set(access.PAGE_ROLES) if not access.is_public(e)}
    assert unlisted == set()
    assert set(access.PAGE_ROLES) <= endpoints


@pytest.mark.parametrize("username", ["viewer", "renhe"])
def test_display_tokens_are_shown_only_to_those_who_may_revoke_them(staff_login, seeded, username):
    meeting = f"/meetings/{seeded.meeting.id}"
    for url in (meeting, f"{meeting}/summary"):
        assert seeded.display_token not in staff_login(username).get(url).text
    assert seeded.display_token in staff_login("district").get(meeting).text
