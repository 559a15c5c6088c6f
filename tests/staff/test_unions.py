"""Union pages: the district admin lists, creates, edits, retires, restores, deletes and imports its unions; no one
else may open them."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Org, OrgKind
from app.services.xlsx import workbook_bytes
from tests.conftest import csrf_token_from


def org(name: str) -> Org:
    return db.session.scalar(select(Org).where(Org.name == name))


def union_count() -> int:
    return db.session.scalar(select(func.count(Org.id)))


def sheet(*rows) -> bytes:
    return workbook_bytes("工会", ["名称", "类型", "排序"], [list(row) for row in rows])


def upload(session, content: bytes):
    token = csrf_token_from(session.get("/unions/import").text)
    return session.client.post("/unions/import", data={"csrf_token": token, "file": (io.BytesIO(content), "工会.xlsx")},
                               content_type="multipart/form-data")


def confirm(session, preview_html: str):
    """Press 确认导入 on a preview: post back what its form carries."""
    carried = preview_html.split('name="sheet" value="', 1)[1].split('"', 1)[0]
    token = csrf_token_from(preview_html)
    return session.client.post("/unions/import", data={"csrf_token": token, "sheet": carried, "confirm": "1"},
                               content_type="multipart/form-data")


def test_the_district_admin_sees_every_union_in_order_with_its_kind_and_status(staff_login, seeded):
    page = staff_login("district").get("/unions")
    assert page.status_code == 200
    text = page.text
    assert text.index("胜利街道") < text.index("仁和镇") < text.index("中关村顺义园")
    assert "<td>功能区</td>" in text and "在用" in text and "顺义区总工会</td>" not in text


def test_only_a_union_without_data_offers_a_delete_button(staff_login, seeded):
    district = staff_login("district")
    district.post_form("/unions/new", {"name": "新城街道", "kind": "街道", "sort_order": ""}, "/unions/new")
    page = district.get("/unions").text
    assert f'/unions/{org("新城街道").id}/delete' in page
    assert f'/unions/{org("仁和镇").id}/delete' not in page
    assert f'/unions/{org("仁和镇").id}/retire' in page and "data-confirm" in page


def test_creating_a_union_puts_it_last_in_the_list(staff_login, seeded):
    district = staff_login("district")
    response = district.post_form("/unions/new", {"name": "新城街道", "kind": "街道", "sort_order": ""}, "/unions/new")
    assert response.status_code == 302
    created = org("新城街道")
    assert (created.kind, created.sort_order) == (OrgKind.STREET, 28)
    assert "工会已创建" in district.get("/unions").text


def test_a_bad_union_form_shows_each_error_in_chinese_and_writes_nothing(staff_login, seeded):
    before = union_count()
    response = staff_login("district").post_form(
        "/unions/new", {"name": "", "kind": "县", "sort_order": "前面"}, "/unions/new")
    assert response.status_code == 422
    for message in ("请填写名称", "类型「县」无法识别", "排序应为 0 到 99999 之间的整数，实际为「前面」"):
        assert message in response.text
    assert union_count() == before


def test_renaming_a_union_to_a_taken_name_is_refused_naming_it(staff_login, seeded):
    tianzhu = org("天竺镇")
    response = staff_login("district").post_form(
        f"/unions/{tianzhu.id}/edit", {"name": "仁和镇", "kind": "镇", "sort_order": "3"}, "/unions/new")
    assert response.status_code == 422 and "已有名为「仁和镇」的工会" in response.text
    db.session.refresh(tianzhu)
    assert tianzhu.name == "天竺镇"


def test_editing_renames_and_reorders_a_union(staff_login, seeded):
    tianzhu = org("天竺镇")
    district = staff_login("district")
    form = district.get(f"/unions/{tianzhu.id}/edit").text
    assert 'value="天竺镇"' in form and 'value="9"' in form and '<option selected value="镇">' in form
    response = district.post_form(f"/unions/{tianzhu.id}/edit", {"name": "天竺地区", "kind": "街道", "sort_order": "0"},
                                  "/unions/new")
    assert response.status_code == 302
    db.session.refresh(tianzhu)
    assert (tianzhu.name, tianzhu.kind, tianzhu.sort_order) == ("天竺地区", OrgKind.STREET, 0)


def test_a_retired_union_is_marked_and_leaves_the_new_meeting_form_until_restored(staff_login, seeded):
    district, yangzhen = staff_login("district"), org("杨镇")
    assert district.post_form(f"/unions/{yangzhen.id}/retire", {}, "/unions").status_code == 302
    page = district.get("/unions").text
    assert "已撤销「杨镇」" in page and "已撤销</span>" in page and f"/unions/{yangzhen.id}/restore" in page
    assert ">杨镇</option>" not in district.get("/meetings/new").text

    assert district.post_form(f"/unions/{yangzhen.id}/restore", {}, "/unions").status_code == 302
    assert ">杨镇</option>" in district.get("/meetings/new").text


def test_deleting_removes_an_unused_union_and_refuses_one_with_data(staff_login, seeded):
    district = staff_login("district")
    district.post_form("/unions/new", {"name": "仁和真", "kind": "镇", "sort_order": ""}, "/unions/new")
    assert district.post_form(f"/unions/{org('仁和真').id}/delete", {}, "/unions").status_code == 302
    assert org("仁和真") is None

    refused = district.post_form(f"/unions/{org('仁和镇').id}/delete", {}, "/unions")
    assert refused.status_code == 409 and "不能删除；如不再使用，请改为撤销" in refused.text
    assert org("仁和镇") is not None


def test_an_uploaded_sheet_is_previewed_then_written_when_confirmed(staff_login, seeded):
    district = staff_login("district")
    preview = upload(district, sheet(("新城街道", "街道", 28), ("仁和镇", "镇", 1), ("某某乡", "乡", None)))
    assert preview.status_code == 200
    assert "共 3 行：新增 2 个，更新 1 个" in preview.text and "确认导入" in preview.text
    assert "排在最后" in preview.text
    assert org("新城街道") is None  # a preview writes nothing

    written = confirm(district, preview.text)
    assert written.status_code == 302
    assert [(o.name, o.sort_order) for o in (org("新城街道"), org("某某乡"), org("仁和镇"))] == [
        ("新城街道", 28), ("某某乡", 29), ("仁和镇", 1)]
    assert "导入完成：新增 2 个工会，更新 1 个" in district.get("/unions").text


def test_a_sheet_with_wrong_rows_lists_them_and_offers_no_confirmation(staff_login, seeded):
    before = union_count()
    response = upload(staff_login("district"), sheet(("新城街道", "街道", 28), ("新城街道", "区总工会", 29)))
    assert response.status_code == 422
    assert "第 3 行：区总工会只能由系统初始化创建" in response.text and "名称「新城街道」与第 2 行重复" in response.text
    assert "整张表都没有导入" in response.text and 'name="confirm"' not in response.text
    assert union_count() == before


def test_a_confirmation_that_no_longer_holds_writes_nothing(staff_login, seeded):
    district = staff_login("district")
    preview = upload(district, sheet(("新城街道", "街道", 28), ("杨镇", "镇", 4)))
    district.post_form(f"/unions/{org('杨镇').id}/retire", {}, "/unions")  # retired between preview and confirm

    response = confirm(district, preview.text)
    assert response.status_code == 422 and "「杨镇」是已撤销的工会，请先在工会列表中恢复它" in response.text
    assert org("新城街道") is None


@pytest.mark.parametrize("url, first_row", [
    ("/unions/template.xlsx", None),
    ("/unions/example.xlsx", ("胜利街道", "街道", 1)),
])
def test_the_template_and_the_example_download_as_sheets_with_the_import_header(staff_login, seeded, url, first_row):
    response = staff_login("district").get(url)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("名称", "类型", "排序")
    assert (rows[1] if len(rows) > 1 else None) == first_row
    assert len(rows) == (28 if first_row else 1)


def union_pages(union_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/unions"), ("GET", "/unions/new"), ("POST", "/unions/new"),
        ("GET", f"/unions/{union_id}/edit"), ("POST", f"/unions/{union_id}/edit"),
        ("POST", f"/unions/{union_id}/retire"), ("POST", f"/unions/{union_id}/restore"),
        ("POST", f"/unions/{union_id}/delete"), ("GET", "/unions/import"),
        ("GET", "/unions/template.xlsx"), ("GET", "/unions/example.xlsx"),
    ]


@pytest.mark.parametrize("username", ["renhe", "booth", "viewer"])
def test_no_one_but_the_district_admin_may_open_a_union_page(staff_login, seeded, username):
    session, union = staff_login(username), org("仁和镇")
    form = {"name": "改名", "kind": "镇", "sort_order": "1"}
    for method, url in union_pages(union.id):
        response = session.get(url) if method == "GET" else session.post_form(url, form)
        assert response.status_code == 403, (method, url)
    assert upload(staff_login("district"), sheet(("改名", "镇", 1))).status_code == 200  # the same upload is fine
    token = csrf_token_from(session.get("/meetings").text)
    response = session.client.post("/unions/import", content_type="multipart/form-data",
                                   data={"csrf_token": token, "file": (io.BytesIO(sheet(("改名", "镇", 1))), "a.xlsx")})
    assert response.status_code == 403
    assert org("仁和镇") is union and not union.is_retired and org("改名") is None
