"""Account pages: create and reset show a one-time password once, (de)activation, the list's search, paging and
scope, and bulk booth accounts from a sheet (preview, confirm, printable slips)."""

import io
import re
from html import unescape

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, User
from app.models.staff import booth_assignments
from app.services.setup import accounts
from app.services.setup.accounts import AccountFields
from tests.conftest import StaffSession
from tests.factories import account, org_named
from tests.services.setup.test_accounts import make_account
from tests.services.setup.test_booth_accounts import GOOD_ROWS, MAIN, TIANZHU, sheet

SECRET = re.compile(r'一次性密码：<span class="slip-secret">([a-z0-9]+)</span>')


def one_time_passwords(page_text: str) -> list[str]:
    return SECRET.findall(page_text)


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_a_new_account_shows_its_one_time_password_once_and_it_signs_in(app, staff_login, seeded):
    district = staff_login("district")
    page = district.post_form("/accounts/new", {"username": "zhaoliu", "display_name": "赵六", "role": "org_admin",
                                                "org_id": org_named("杨镇").id, "mobile": ""})

    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    [password] = one_time_passwords(page.text)
    assert "首次登录后请设置自己的密码" in page.text
    created = account("zhaoliu")
    for url in ("/accounts", f"/accounts/{created.id}/edit"):
        assert password not in district.get(url).text
    signed_in = StaffSession(app.test_client()).login("zhaoliu", password)
    assert signed_in.location == "/account/password"


def test_a_refused_field_is_shown_on_the_form_and_nothing_is_created(staff_login, seeded):
    before = user_count()
    page = staff_login("district").post_form("/accounts/new", {
        "username": "renhe", "display_name": "重名", "role": "viewer", "org_id": org_named("杨镇").id})
    assert page.status_code == 422 and "用户名已存在" in page.text
    assert user_count() == before


def test_an_org_admin_is_offered_only_booth_staff_and_viewers_of_its_own_union(staff_login, seeded):
    renhe = staff_login("renhe")
    form = renhe.get("/accounts/new").text
    assert re.findall(r'<option[^>]*value="([a-z_]+)"', form) == ["booth_staff", "viewer"]
    assert "仁和镇" in form and "天竺镇" not in form

    before = user_count()
    tampered = renhe.post_form("/accounts/new", {"username": "sneaky", "display_name": "越权", "role": "org_admin",
                                                 "org_id": org_named("仁和镇").id})
    assert tampered.status_code == 422 and user_count() == before


def test_an_org_admin_sees_only_its_own_unions_accounts_and_nobody_sees_guests(staff_login, seeded):
    make_account(Role.BOOTH_STAFF, org_named("仁和镇"), "pass-guest", guest=True)
    listing = staff_login("renhe").get("/accounts").text
    assert "仁和镇入会岗" in listing and "天竺镇工会" not in listing and "pass-guest" not in listing
    assert "pass-guest" not in staff_login("district").get("/accounts").text

    assert staff_login("renhe").get(f"/accounts/{account('tianzhu').id}/edit").status_code == 403
    assert staff_login("district").get(f"/accounts/{account('pass-guest').id}/edit").status_code == 404


def test_the_list_searches_by_name_username_or_mobile_and_pages_with_a_next_link(staff_login, seeded):
    yangzhen = org_named("杨镇")
    for n in range(55):
        make_account(Role.VIEWER, yangzhen, f"yang{n:02d}")
    account("yang07").mobile = "13600000007"
    db.session.commit()
    district = staff_login("district")

    first = district.get("/accounts").text
    assert first.count('href="/accounts/') == 50 + 1  # 50 rows' 管理 links and 新建账号
    next_link = unescape(re.search(r'href="(/accounts\?[^"]*after=\d+[^"]*)">下一页', first).group(1))
    second = district.get(next_link).text
    assert "yang54" in second and "yang00" not in second and "下一页" not in second

    found = district.get("/accounts?q=1360000").text
    assert "yang07" in found and "yang08" not in found
    assert "最近登录" in found and "从未登录" in found and "杨镇" in found


def test_editing_an_account_changes_its_name_role_and_mobile(staff_login, seeded):
    booth = account("booth")
    answer = staff_login("renhe").post_form(f"/accounts/{booth.id}/edit", {
        "display_name": "仁和入会岗小王", "role": "viewer", "org_id": booth.org_id, "mobile": "13811112222"})
    assert answer.status_code == 302
    db.session.expire_all()
    booth = account("booth")
    assert (booth.display_name, booth.role, booth.mobile) == ("仁和入会岗小王", Role.VIEWER, "13811112222")


def test_a_reset_shows_a_new_one_time_password_and_ends_the_accounts_sessions(app, staff_login, seeded):
    booth_session = staff_login("booth")
    page = staff_login("renhe").post_form(f"/accounts/{account('booth').id}/reset-password", {})

    [password] = one_time_passwords(page.text)
    assert page.headers["Cache-Control"] == "no-store"
    assert "/login" in booth_session.get("/booth").location
    assert StaffSession(app.test_client()).login("booth", password).location == "/account/password"


def test_a_deactivated_account_cannot_sign_in_until_reactivated(app, staff_login, seeded):
    renhe, booth_id = staff_login("renhe"), account("booth").id
    booth_session = staff_login("booth")

    assert renhe.post_form(f"/accounts/{booth_id}/deactivate", {}).status_code == 302
    assert "/login" in booth_session.get("/booth").location
    refused = StaffSession(app.test_client()).login("booth")
    assert refused.status_code == 200 and "用户名或密码不正确" in refused.text

    assert renhe.post_form(f"/accounts/{booth_id}/reactivate", {}).status_code == 302
    assert StaffSession(app.test_client()).login("booth").status_code == 302


def test_nobody_deactivates_their_own_account_from_the_web(staff_login, seeded):
    answer = staff_login("district").post_form(f"/accounts/{account('district').id}/deactivate", {})
    assert answer.status_code == 409 and "不能对自己的账号执行此操作" in answer.text


def booth_accounts_url(seeded) -> str:
    return f"/meetings/{seeded.meeting.id}/booth-accounts"


def test_a_booth_account_sheet_is_previewed_then_created_with_printable_slips(staff_login, seeded):
    district, url = staff_login("district"), booth_accounts_url(seeded)
    before = user_count()

    preview = district.upload(url, sheet(GOOD_ROWS))
    assert preview.status_code == 200 and "将新建 2 个账号，沿用 0 个已有账号，共 3 行岗位安排" in preview.text
    assert user_count() == before
    carried = unescape(re.search(r'name="sheet" value="([^"]+)"', preview.text).group(1))

    slips = district.post_form(url, {"sheet": carried, "confirm": "1"})
    assert slips.status_code == 200 and slips.headers["Cache-Control"] == "no-store"
    assert len(one_time_passwords(slips.text)) == 2 and user_count() == before + 2
    for words in ("张三", "李四", f"{MAIN} · <strong>法律咨询岗</strong>", "http://testserver.local/login",
                  "用户名：<span class=\"slip-secret\">13900000001</span>", "首次登录后请设置自己的密码"):
        assert words in slips.text

    again = district.post_form(url, {"sheet": carried, "confirm": "1"})
    assert one_time_passwords(again.text) == [] and again.text.count("<strong>使用原密码</strong>") == 2
    assert user_count() == before + 2


def test_a_bad_booth_account_sheet_lists_each_bad_row_and_cannot_be_confirmed(staff_login, seeded):
    tianzhu = account("tianzhu")
    accounts.create_account(tianzhu, AccountFields("13700000002", "天竺人", Role.BOOTH_STAFF, tianzhu.org_id))
    assignments = db.session.scalar(select(func.count()).select_from(booth_assignments))
    before = user_count()
    rows = [["赵一", "13900000011", "天堂会场", "入会岗"], ["赵二", "13900000012", TIANZHU, "茶水岗"],
            ["天竺人", "13700000002", MAIN, "入会岗"], ["赵四", "12345678901", MAIN, "入会岗"],
            *GOOD_ROWS]

    answer = staff_login("district").upload(booth_accounts_url(seeded), sheet(rows))

    assert answer.status_code == 422 and "4 处错误，整张表未导入" in answer.text
    for number in (2, 3, 4, 5):
        assert f"第 {number} 行：" in answer.text
    assert "确认创建" not in answer.text and 'name="sheet"' not in answer.text
    assert user_count() == before
    assert db.session.scalar(select(func.count()).select_from(booth_assignments)) == assignments


def test_the_booth_account_template_has_the_sheets_columns(staff_login, seeded):
    answer = staff_login("renhe").get("/booth-accounts/template.xlsx")
    header = [cell.value for cell in load_workbook(io.BytesIO(answer.data)).active[1]]
    assert header == ["姓名", "手机号", "会场名称", "岗位名称"]


def test_an_org_admin_without_a_venue_in_the_meeting_cannot_open_its_booth_account_sheet(app, staff_login, seeded):
    accounts.create_user("beiwu", "long-enough-1", Role.ORG_ADMIN, org_named("北务镇"))  # hosts no demo venue
    beiwu = StaffSession(app.test_client())
    beiwu.login("beiwu", "long-enough-1")
    assert beiwu.get(booth_accounts_url(seeded)).status_code == 403
    assert staff_login("booth").get(booth_accounts_url(seeded)).status_code == 403
