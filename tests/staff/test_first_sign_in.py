"""First sign-in: a one-time password opens only the page that replaces it (and the way out) until it is replaced."""

import pytest

from app.models import Role
from app.services.setup import accounts, passwords
from app.services.setup.accounts import AccountFields
from tests.conftest import StaffSession, csrf_token_from
from tests.factories import account

NEW_PASSWORD = "my-own-password-2026"


@pytest.fixture
def volunteer(seeded):
    """A booth account just created by its union, standing at the main venue's first booth: (username, password)."""
    renhe = account("renhe")
    issued = accounts.create_account(renhe, AccountFields("13900000001", "志愿者", Role.BOOTH_STAFF, renhe.org_id))
    issued.user.booths.append(account("booth").booths[0])
    return issued.user.username, issued.password


def signed_in(app, username: str, password: str) -> StaffSession:
    session = StaffSession(app.test_client())
    assert session.login(username, password).location == "/account/password"
    return session


def change(session: StaffSession, current: str, new: str, repeated: str | None = None):
    return session.post_form("/account/password", {
        "current_password": current, "new_password": new, "confirm_password": new if repeated is None else repeated,
    }, token_page="/account/password")


def test_every_signed_in_page_leads_to_the_password_page_until_it_is_changed(app, volunteer):
    session = signed_in(app, *volunteer)
    booth = account("13900000001").booths[0]

    for url in ("/", "/booth", f"/booths/{booth.id}/console", "/meetings"):
        assert session.get(url).location == "/account/password", url
    assert session.get("/account/password").status_code == 200
    assert session.get("/healthz").status_code == 200  # public pages are not in the way


def test_a_json_call_gets_a_403_naming_the_password_change_instead_of_a_redirect(app, volunteer):
    session = signed_in(app, *volunteer)
    booth = account("13900000001").booths[0]
    token = csrf_token_from(session.get("/account/password").text)

    answer = session.client.post(f"/api/booths/{booth.id}/tallies", headers={"X-CSRFToken": token},
                                 json={"kind": "consultation", "idempotency_key": "tap-first-0001"})

    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "password_change_required"


def test_signing_out_stays_possible_before_the_change(app, volunteer):
    session = signed_in(app, *volunteer)
    assert session.post_form("/logout", {}, token_page="/account/password").location == "/login"


@pytest.mark.parametrize("current, new, repeated, message", [
    ("wrong-one-time", NEW_PASSWORD, None, "当前密码不正确"),
    (None, "short", None, "密码至少 8 位"),
    (None, None, None, "新密码不能与当前密码相同"),
    (None, NEW_PASSWORD, "another-password", "两次输入的新密码不一致"),
], ids=["wrong current", "too short", "the one-time one again", "typed differently"])
def test_a_new_password_is_refused_in_chinese_unless_it_is_8_long_new_and_typed_twice(
        app, volunteer, current, new, repeated, message):
    username, one_time = volunteer
    session = signed_in(app, username, one_time)

    answer = change(session, current or one_time, new or one_time, repeated)

    assert answer.status_code == 422 and message in answer.text
    assert session.get("/booth").location == "/account/password"


def test_after_the_change_it_reaches_its_home_and_its_other_sessions_end(app, volunteer):
    username, one_time = volunteer
    session, elsewhere = signed_in(app, username, one_time), signed_in(app, username, one_time)

    answer = change(session, one_time, NEW_PASSWORD)

    assert answer.location == "/booth"
    assert session.get("/booth").status_code == 200  # this browser stays signed in
    assert "/login" in elsewhere.get("/booth").location
    assert StaffSession(app.test_client()).login(username, one_time).status_code == 200  # refused: the form again
    assert StaffSession(app.test_client()).login(username, NEW_PASSWORD).location == "/booth"
    assert not account(username).must_change_password


def test_any_role_may_change_its_own_password(staff_login):
    district = staff_login("district")
    answer = change(district, "shunyi2026", NEW_PASSWORD)
    assert answer.location == "/meetings"
    assert passwords.authenticate("district", NEW_PASSWORD) is not None
