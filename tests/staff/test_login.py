"""Staff sign-in: passwords, CSRF, the rate limit."""

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
