"""Small things every page shares: the favicon, and error pages that speak Chinese first."""

import re


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"


def test_an_error_page_says_what_happened_in_chinese_and_keeps_the_code_small_for_support(staff_login, seeded):
    page = staff_login("district").get("/display/no-such-link")

    assert page.status_code == 404
    heading = re.search(r"<h1>(.*?)</h1>", page.text).group(1)
    assert heading == "大屏链接无效或已停用"
    assert '<p class="support-code">如需联系技术支持，请提供：404 · display_link_not_found</p>' in page.text


def test_the_header_names_the_user_and_their_role_once(staff_login, seeded):
    def who(username: str) -> str:
        return re.sub(r"<[^>]+>", "", re.search(r'<span class="who">(.*?)</span>\s*<form', staff_login(username)
                                                  .get("/meetings").text, re.S).group(1))

    assert who("district") == "区总工会管理员"
    assert who("renhe") == "仁和镇工会（镇街工会管理员）"
