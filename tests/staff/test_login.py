"""Staff sign-in: passwords, CSRF, the rate limit."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.setup import accounts, passwords
from tests.conftest import StaffSession, csrf_token_from


def test_demo_district_admin_sees_the_meeting_list(staff_login, seeded):
    page = staff_login("district").get("/meetings")
    assert page.status_code == 200
    assert "顺义区职工沟通会" in page.text


def test_a_wrong_password_is_refused_in_chinese(client, seeded):
    response = StaffSession(client).login("district", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text


def test_pages_need_a_login(client, seeded):
    response = client.get("/meetings")
    assert response.status_code == 302
    assert "/login" in response.location


def test_a_form_without_csrf_token_is_refused(client, seeded):
    response = client.post("/login", data={"username": "district", "password": "shunyi2026"})
    assert response.status_code == 400


def test_login_is_rate_limited_per_address(client, seeded):
    session = StaffSession(client)
    statuses = [session.login("district", "wrong-password").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_booth_staff_land_on_their_booth_console(client, seeded):
    response = StaffSession(client).login("booth")
    assert response.location == "/booth"


def test_a_login_never_redirects_off_site(client, seeded):
    token_page = client.get("/login?next=//evil.example/phish")
    response = client.post(
        "/login?next=//evil.example/phish",
        data={"username": "district", "password": "shunyi2026", "csrf_token": csrf_token_from(token_page.text)},
    )
    assert response.location == "/meetings"


def login_with_next(client, next_path: str):
    token_page = client.get("/login")
    return client.post(f"/login?next={next_path}", data={
        "username": "district", "password": "shunyi2026", "csrf_token": csrf_token_from(token_page.text)})


@pytest.mark.parametrize("next_path", [
    "/%09/evil.example/", "/%0a/evil.example/", "/%5Cevil.example/", "/%5C%5Cevil.example/",
    "/%252F/evil.example/", "%2F%2Fevil.example/", "https://evil.example/", "/%2509/evil.example/",
])
def test_a_next_path_that_a_browser_would_read_as_another_site_is_ignored(client, seeded, next_path):
    assert login_with_next(client, next_path).location == "/meetings"


def test_a_same_site_next_path_is_followed(client, seeded):
    assert login_with_next(client, "/review%3Fstatus%3Dapproved").location == "/review?status=approved"


def copied_session(app, signed_in: StaffSession):
    """A second browser holding a copy of the signed-in session cookie (a stolen or shared cookie)."""
    copy = app.test_client()
    copy.set_cookie("session", signed_in.client.get_cookie("session").value)
    assert copy.get("/meetings").status_code == 200
    return copy


def renhe_user() -> User:
    return db.session.scalar(select(User).where(User.username == "renhe"))


def test_logout_ends_the_session_for_every_copy_of_its_cookie(app, staff_login):
    renhe = staff_login("renhe")
    copy = copied_session(app, renhe)

    assert renhe.post_form("/logout", {}).status_code == 302

    assert "/login" in copy.get("/meetings").location


@pytest.mark.parametrize("change", [
    lambda user: passwords.change_password(user, "a-new-password-2026"),
    lambda user: accounts.deactivate(user),
], ids=["password change", "deactivation"])
def test_a_password_change_or_deactivation_ends_every_open_session(app, staff_login, change):
    copy = copied_session(app, staff_login("renhe"))

    change(renhe_user())

    assert "/login" in copy.get("/meetings").location


def test_flask_users_deactivate_ends_the_accounts_sessions(app, staff_login, runner):
    copy = copied_session(app, staff_login("renhe"))

    result = runner.invoke(args=["users", "deactivate", "renhe"])

    assert result.exit_code == 0, result.output
    assert "/login" in copy.get("/meetings").location
    assert StaffSession(app.test_client()).login("renhe").status_code == 200  # refused: the form again
