"""Excel exports: masked rows by default, full PII only for the district and logged, the register layout."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, User
from app.services.afterday import exports, review
from app.services.afterday.exports import ExportScope
from app.services.afterday.member_register import COLUMNS
from tests.factories import make_application


def venue_of(seeded, town: str):
    return next(v for v in seeded.meeting.venues if v.host_org.name == town)


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def sheet_rows(export) -> list[tuple]:
    return list(load_workbook(io.BytesIO(b"".join(export.chunks))).active.iter_rows(values_only=True))


def test_an_org_admins_export_has_its_own_rows_with_masked_values(seeded):
    make_application(venue_of(seeded, "仁和镇"), name="张三丰", id_no="110113199005170011", mobile="13812345678")
    make_application(venue_of(seeded, "天竺镇"), name="李四")
    export = exports.applications_export(user("renhe"), ExportScope(meeting_id=seeded.meeting.id))
    header, *rows = sheet_rows(export)
    assert header[:4] == ("序号", "姓名", "身份证号", "手机号")
    assert [row[:4] for row in rows] == [(1, "张**", "110***********0011", "138****5678")]
    assert rows[0][5] == "1990年"  # the year only: the full birth date beside a masked ID gives it back
    assert rows[0][12] == "仁和镇" and export.rows == 1


def test_the_unmasked_export_is_refused_to_an_org_admin(seeded):
    make_application(venue_of(seeded, "仁和镇"))
    with pytest.raises(AppError) as caught:
        exports.applications_export(user("renhe"), ExportScope(), unmasked=True)
    assert caught.value.status == 403
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "export.applications")) is None


def test_the_unmasked_export_is_logged_with_who_and_how_many_rows(seeded):
    make_application(venue_of(seeded, "仁和镇"), name="张三丰", id_no="110113199005170011")
    make_application(venue_of(seeded, "天竺镇"), name="李四")
    export = exports.applications_export(user("district"), ExportScope(), unmasked=True, ip="10.1.1.1")
    names = sorted(row[1] for row in sheet_rows(export)[1:])
    assert names == ["张三丰", "李四"]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "export.applications"))
    assert entry.user_id == user("district").id and entry.ip == "10.1.1.1" and entry.created_at is not None
    assert entry.detail["rows"] == 2 and entry.detail["unmasked"] is True


def test_the_member_register_lists_approved_members_with_numeric_codes(seeded):
    venue = venue_of(seeded, "仁和镇")
    approved = make_application(
        venue, name="张三丰", id_no="110113199005170011", education="本科", hukou_type="外埠农业",
        new_form_job="快递员", political_status="群众", industry="交通运输、仓储和邮政业", is_migrant_worker=True,
        id_valid_long_term=True,
    )
    make_application(venue, name="未审核")
    review.approve(user("renhe"), approved.id)
    header, *rows = sheet_rows(exports.member_register_export(user("district"), ExportScope()))
    assert list(header) == COLUMNS
    (row,) = rows
    by_column = dict(zip(COLUMNS, row, strict=True))
    assert by_column["姓名"] == "张三丰" and by_column["公民身份号码"] == "110113199005170011"
    coded = ("性别", "学历", "户籍类型", "新就业形态劳动者类型", "政治面貌", "所属行业", "是否外地来京务工")
    assert [by_column[name] for name in coded] == [1, 6, 4, 3, 6, 7, 1]
    assert by_column["身份证有效期限"] == "长期" and by_column["会员编号"] == approved.member_no


def test_the_member_register_is_for_district_admins_only(seeded):
    with pytest.raises(AppError) as caught:
        exports.member_register_export(user("renhe"), ExportScope())
    assert caught.value.status == 403
