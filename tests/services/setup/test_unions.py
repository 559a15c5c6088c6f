"""The union tree: first run, create, rename, order, retire, restore, delete while unused, and the sheet import."""

import pytest
from sqlalchemy import func, select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, Org, OrgKind, Role, User
from app.services import sheets
from app.services.setup import demo, meetings, union_sheet, unions
from app.services.setup.unions import UnionFields
from app.services.xlsx import workbook_bytes
from tests.factories import make_enterprise

# SPEC §5: Shunyi's 6 streets, 19 towns and 2 zones, in the demo's order.
SHUNYI_STREETS = ["胜利街道", "光明街道", "石园街道", "双丰街道", "旺泉街道", "空港街道"]
SHUNYI_TOWNS = [
    "仁和镇", "后沙峪镇", "天竺镇", "杨镇", "牛栏山镇", "南法信镇", "马坡镇", "高丽营镇", "李桥镇", "李遂镇",
    "南彩镇", "北务镇", "大孙各庄镇", "张镇", "龙湾屯镇", "木林镇", "北小营镇", "北石槽镇", "赵全营镇",
]
SHUNYI_ZONES = ["临空经济核心区", "中关村顺义园"]
SHUNYI = ([(name, "街道") for name in SHUNYI_STREETS] + [(name, "镇") for name in SHUNYI_TOWNS]
          + [(name, "功能区") for name in SHUNYI_ZONES])


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def org(name: str) -> Org:
    return db.session.scalar(select(Org).where(Org.name == name))


def sheet(*rows, header=("名称", "类型", "排序")) -> bytes:
    return workbook_bytes("工会", list(header), [list(row) for row in rows])


def org_rows() -> list[tuple]:
    return list(db.session.execute(select(Org.id, Org.name, Org.kind, Org.sort_order, Org.retired_at).order_by(Org.id)))


def refusal(call, *args) -> AppError:
    with pytest.raises(AppError) as caught:
        call(*args)
    return caught.value


# --- the first run -----------------------------------------------------------------------------------------


def test_a_new_install_creates_its_district_and_first_admin_with_a_one_time_password(app):
    issued = unions.create_district("顺义区总工会", "admin", "王主任")

    district = unions.district()
    assert district.name == "顺义区总工会" and district.kind is OrgKind.DISTRICT
    admin = user("admin")
    assert (admin.role, admin.org_id, admin.display_name) == (Role.DISTRICT_ADMIN, district.id, "王主任")
    assert admin.must_change_password and admin.check_password(issued.password)
    assert set(db.session.scalars(select(AuditLog.action))) == {"district.setup", "user.create"}


def test_a_second_district_is_refused_and_nothing_is_added(app):
    unions.create_district("顺义区总工会", "admin")
    error = refusal(unions.create_district, "昌平区总工会", "admin2")
    assert error.code == "district_exists" and "顺义区总工会" in error.message
    assert db.session.scalar(select(func.count(Org.id))) == 1 and user("admin2") is None


def test_the_first_admin_needs_a_free_username(app):
    db.session.add(User(username="admin", display_name="旧账号", role=Role.DISTRICT_ADMIN, password_hash="x"))
    db.session.commit()
    error = refusal(unions.create_district, "顺义区总工会", "admin")
    assert error.code == "username_taken" and unions.district() is None
    assert refusal(unions.create_district, "顺义区总工会", "管理员").code == "invalid_username"


# --- one union at a time -----------------------------------------------------------------------------------


def test_a_new_union_goes_under_the_district_after_the_last_one(seeded):
    created = unions.create_union(user("district"), UnionFields("新城街道", OrgKind.STREET))
    assert (created.parent_id, created.sort_order) == (unions.district().id, 28)
    assert unions.active_unions()[-1].name == "新城街道"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "org.create"))
    assert entry.detail == {"name": "新城街道", "kind": "街道", "sort_order": 28}


def test_a_name_already_taken_is_refused_naming_it(seeded):
    district = user("district")
    created = refusal(unions.create_union, district, UnionFields("仁和镇", OrgKind.TOWN))
    renamed = refusal(unions.update_union, district, org("天竺镇"), UnionFields("仁和镇", OrgKind.TOWN))
    for error in (created, renamed):
        assert (error.code, error.status) == ("union_name_taken", 409)
        assert error.message == error.fields["name"] == "已有名为「仁和镇」的工会"
    assert org("天竺镇") is not None


def test_a_name_held_by_a_retired_union_asks_for_it_to_be_restored_first(seeded):
    unions.retire(user("district"), org("杨镇"))
    error = refusal(unions.create_union, user("district"), UnionFields("杨镇", OrgKind.TOWN))
    assert error.code == "union_name_taken" and "已撤销" in error.message and "恢复" in error.message


def test_renaming_and_reordering_keeps_the_union_and_its_venues(seeded):
    renhe = org("仁和镇")
    venues_before = {v.id for v in seeded.meeting.venues if v.host_org_id == renhe.id}
    unions.update_union(user("district"), renhe, UnionFields("仁和地区", OrgKind.STREET, 0))

    assert (renhe.name, renhe.kind, renhe.sort_order) == ("仁和地区", OrgKind.STREET, 0)
    assert {v.id for v in seeded.meeting.venues if v.host_org.name == "仁和地区"} == venues_before
    assert unions.active_unions()[0] is renhe
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "org.update"))
    assert entry.detail["old_name"] == "仁和镇" and entry.detail["name"] == "仁和地区"


def test_an_edit_with_an_empty_order_keeps_the_unions_place(seeded):
    tianzhu = org("天竺镇")
    unions.update_union(user("district"), tianzhu, unions.union_fields("天竺地区", "镇", ""))
    assert tianzhu.sort_order == 9


def test_what_a_person_types_is_checked_with_a_chinese_message_per_field():
    error = refusal(unions.union_fields, " ", "区总工会", "第一")
    assert (error.code, error.status) == ("invalid_union", 422)
    assert error.fields == {
        "name": "请填写名称",
        "kind": "区总工会只能由系统初始化创建，这里只能是街道、镇（乡）或功能区",
        "sort_order": "排序应为 0 到 99999 之间的整数，实际为「第一」",
    }
    unknown = refusal(unions.union_fields, "某地", "县", "1")
    assert unknown.fields == {"kind": "类型「县」无法识别，应为街道、镇（乡）或功能区"}
    assert unions.union_fields(" 某乡 ", "乡", 3.0) == UnionFields("某乡", OrgKind.TOWN, 3)


def test_a_retired_union_leaves_every_new_choice_but_keeps_its_history(seeded):
    yangzhen = org("杨镇")
    venue = next(v for v in seeded.meeting.venues if v.host_org_id == yangzhen.id)
    unions.retire(user("district"), yangzhen)

    assert yangzhen.is_retired and venue.host_org_id == yangzhen.id
    assert yangzhen not in unions.active_unions() and yangzhen in unions.all_unions()
    assert yangzhen not in meetings.org_choices(user("district"))
    assert yangzhen in meetings.org_choices(user("district"), keep=yangzhen.id)  # the venue's form still saves
    assert refusal(unions.retire, user("district"), yangzhen).code == "union_retired"

    unions.restore(user("district"), yangzhen)
    assert yangzhen in meetings.org_choices(user("district"))
    actions = list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["org.retire", "org.restore"]


def test_only_a_union_nothing_refers_to_can_be_deleted(seeded):
    typo = unions.create_union(user("district"), UnionFields("仁和真", OrgKind.TOWN))
    error = refusal(unions.delete_unused, user("district"), org("仁和镇"))
    assert (error.code, error.status) == ("union_in_use", 409) and "请改为撤销" in error.message

    unions.delete_unused(user("district"), typo)
    assert org("仁和真") is None and org("仁和镇") is not None
    assert db.session.scalar(select(AuditLog.detail).where(AuditLog.action == "org.delete")) == {"name": "仁和真"}


@pytest.mark.parametrize("refer", ["ledger firm", "account", "child org"])
def test_any_row_pointing_at_a_union_keeps_it_from_being_deleted(seeded, refer):
    # Every foreign key to orgs.id counts, read from the schema: a table added later is covered too.
    union = unions.create_union(user("district"), UnionFields("新城街道", OrgKind.STREET))
    if refer == "ledger firm":
        make_enterprise(union, "新城企业")
    elif refer == "account":
        db.session.add(User(username="xc", display_name="新城", role=Role.VIEWER, org=union, password_hash="x"))
    else:
        db.session.add(Org(name="新城社区", kind=OrgKind.STREET, parent=union))
    db.session.commit()
    assert refusal(unions.delete_unused, user("district"), union).code == "union_in_use"
    assert [listing.deletable for listing in unions.listed_unions(user("district")) if listing.org is union] == [False]


@pytest.mark.parametrize("username", ["renhe", "booth", "viewer"])
def test_only_the_district_admin_may_change_the_union_tree(seeded, username):
    someone, renhe = user(username), org("仁和镇")
    calls = [
        (unions.create_union, someone, UnionFields("新城街道", OrgKind.STREET)),
        (unions.update_union, someone, renhe, UnionFields("仁和地区", OrgKind.TOWN)),
        (unions.retire, someone, renhe), (unions.restore, someone, renhe), (unions.delete_unused, someone, renhe),
        (union_sheet.preview_sheet, someone, sheet(("新城街道", "街道", 28))),
        (union_sheet.import_sheet, someone, sheet(("新城街道", "街道", 28))),
        (unions.listed_unions, someone), (unions.get_union, someone, renhe.id),
    ]
    before = org_rows()
    for call, *args in calls:
        assert refusal(call, *args).status == 403, call.__name__
    assert org_rows() == before


def test_the_district_itself_is_not_one_of_the_unions_it_manages(seeded):
    assert refusal(unions.get_union, user("district"), unions.district().id).status == 404
    assert unions.district() not in unions.all_unions()


# --- the sheet ---------------------------------------------------------------------------------------------


def test_the_example_sheet_holds_shunyis_27_unions_in_order():
    rows = sheets.read_rows(union_sheet.example_sheet(), union_sheet.LAYOUT)
    assert [(r.cells["name"], r.cells["kind"], r.cells["sort_order"]) for r in rows] == [
        (name, kind, order) for order, (name, kind) in enumerate(SHUNYI, start=1)
    ]


def test_the_demo_seed_reads_its_unions_from_the_example_sheet(seeded):
    assert [(o.name, o.kind_label, o.sort_order, o.parent_id) for o in unions.all_unions()] == [
        (name, kind, order, unions.district().id) for order, (name, kind) in enumerate(SHUNYI, start=1)
    ]


def test_a_second_demo_seed_keeps_the_unions_as_the_web_left_them(seeded):
    unions.retire(user("district"), org("杨镇"))
    unions.update_union(user("district"), org("天竺镇"), UnionFields("天竺地区", OrgKind.TOWN, 40))
    demo.seed_demo()
    assert org("杨镇").is_retired and org("天竺地区").sort_order == 40 and org("天竺镇") is None


def test_the_preview_lists_each_wrong_row_by_its_number_and_writes_nothing(seeded):
    unions.retire(user("district"), org("杨镇"))
    before = org_rows()
    preview = union_sheet.preview_sheet(user("district"), sheet(
        ("新城街道", "街道", 28),
        ("", "镇", 29),
        ("某某县", "县", 30),
        ("某某乡", "镇", "二"),
        ("新城街道", "街道", 31),
        ("杨镇", "镇", 4),
        ("顺义区总工会", "镇", 1),
    ))
    assert preview.errors == [
        "第 3 行：请填写名称",
        "第 4 行：类型「县」无法识别，应为街道、镇（乡）或功能区",
        "第 5 行：排序应为 0 到 99999 之间的整数，实际为「二」",
        "第 6 行：名称「新城街道」与第 2 行重复",
        "第 7 行：「杨镇」是已撤销的工会，请先在工会列表中恢复它",
        "第 8 行：「顺义区总工会」是区总工会的名称",
    ]
    assert [row.outcome for row in preview.rows][:1] == ["新增"]
    assert org_rows() == before


def test_a_sheet_with_one_wrong_row_writes_none_of_its_rows(seeded):
    before = org_rows()
    result = union_sheet.import_sheet(user("district"), sheet(("新城街道", "街道", 28), ("仁和镇", "城", 1)))
    assert not result.written and result.errors == ["第 3 行：类型「城」无法识别，应为街道、镇（乡）或功能区"]
    assert org_rows() == before
    assert db.session.scalar(select(AuditLog.id)) is None


def test_an_import_creates_new_names_and_updates_the_ones_that_exist(seeded):
    content = sheet(("新城街道", "街道", 28), ("某某乡", "乡", None), ("仁和镇", "镇", 0), ("天竺镇", "镇", None))
    preview = union_sheet.preview_sheet(user("district"), content)
    assert [(r.outcome, r.kind_label) for r in preview.rows] == [("新增", "街道"), ("新增", "镇"), ("更新", "镇"),
                                                                  ("不变", "镇")]

    result = union_sheet.import_sheet(user("district"), content)
    assert result.written and (result.created, result.updated) == (2, 1)
    assert [(o.name, o.sort_order) for o in unions.active_unions()][:2] == [("仁和镇", 0), ("胜利街道", 1)]
    assert [(o.name, o.kind, o.sort_order) for o in unions.active_unions()][-2:] == [
        ("新城街道", OrgKind.STREET, 28), ("某某乡", OrgKind.TOWN, 29)]
    assert org("天竺镇").sort_order == 9
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "org.import"))
    assert entry.detail == {"rows": 4, "created": 2, "updated": 1}


def test_importing_the_same_sheet_again_changes_nothing(seeded):
    content = sheet(("新城街道", "街道", 28), ("某某乡", "乡", None))
    union_sheet.import_sheet(user("district"), content)
    after_first = org_rows()

    again = union_sheet.import_sheet(user("district"), content)
    assert (again.created, again.updated) == (0, 0)
    assert org_rows() == after_first


def test_the_example_sheet_imports_shunyis_unions_on_a_new_install(app):
    unions.create_district("顺义区总工会", "admin")
    result = union_sheet.import_sheet(user("admin"), union_sheet.example_sheet())
    assert result.created == 27 and [o.name for o in unions.active_unions()] == [name for name, _ in SHUNYI]


def test_unions_cannot_be_added_before_the_district_exists(app):
    db.session.add(User(username="admin", display_name="管理员", role=Role.DISTRICT_ADMIN, password_hash="x"))
    db.session.commit()
    error = refusal(union_sheet.import_sheet, user("admin"), sheet(("仁和镇", "镇", 1)))
    assert error.code == "no_district" and "flask setup district" in error.message
    assert db.session.scalar(select(Org.id)) is None


@pytest.mark.parametrize("content, message", [
    (sheet(("仁和镇", 1), header=("名称", "排序")), "表头缺少：类型"),
    (sheet(), "表格中没有工会"),
    (b"not a workbook", "无法读取该文件"),
])
def test_a_sheet_that_is_not_a_union_sheet_is_refused_as_a_whole(seeded, content, message):
    error = refusal(union_sheet.preview_sheet, user("district"), content)
    assert error.status == 400 and message in error.message
