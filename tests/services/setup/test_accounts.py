"""Staff accounts: who may manage which (a role table), the rules every account keeps, and the sign-in's cost."""

import hashlib
import itertools
import json

import pytest
from sqlalchemy import func, select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, Org, Role, User
from app.models.base import utcnow
from app.services.setup import accounts, passwords
from app.services.setup.accounts import AccountFields
from tests.factories import account, org_named

DEMO_USERNAMES = {Role.DISTRICT_ADMIN: "district", Role.ORG_ADMIN: "renhe", Role.BOOTH_STAFF: "booth",
                  Role.VIEWER: "viewer"}
_serial = itertools.count(1)


def make_account(role: Role, org: Org | None, username: str | None = None, guest: bool = False) -> User:
    """A committed account without a usable password (no hash to pay for): tests act on it, not as it."""
    user = User(username=username or f"account{next(_serial)}", display_name="测试账号", role=role, org=org,
                password_hash="!", guest=guest)
    db.session.add(user)
    db.session.commit()
    return user


def other_union(actor: User) -> Org:
    return org_named("天竺镇" if actor.org.name == "仁和镇" else "仁和镇")


def refusal(attempt) -> str:
    try:
        attempt()
    except AppError as error:
        db.session.rollback()
        return f"refused {error.status}"
    return "allowed"


ACTIONS = {
    "create": lambda actor, role, org: accounts.create_account(
        actor, AccountFields(f"new{next(_serial)}", "新账号", role, org.id)),
    "edit": lambda actor, role, org: accounts.update_account(
        actor, (target := make_account(role, org)), AccountFields(target.username, "改过的名字", role, org.id)),
    "reset": lambda actor, role, org: accounts.reset_password(actor, make_account(role, org)),
    "deactivate": lambda actor, role, org: accounts.deactivate(make_account(role, org), actor),
}


def may_manage(actor_role: Role, target_role: Role, union: str) -> bool:
    """The table of docs/security.md: the district any account; an org admin its own union's booth staff and viewers."""
    if actor_role is Role.DISTRICT_ADMIN:
        return True
    return actor_role is Role.ORG_ADMIN and union == "same" and target_role in (Role.BOOTH_STAFF, Role.VIEWER)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor_role", list(Role), ids=lambda role: role.value)
def test_who_may_create_edit_reset_or_deactivate_an_account_of_each_role_and_union(seeded, actor_role, action):
    actor = account(DEMO_USERNAMES[actor_role])
    unions = {"same": actor.org, "other": other_union(actor)}

    observed = {(role.value, union): refusal(lambda: ACTIONS[action](actor, role, unions[union]))  # noqa: B023
                for role in Role for union in unions}

    assert observed == {(role.value, union): "allowed" if may_manage(actor_role, role, union) else "refused 403"
                        for role in Role for union in unions}


def test_a_new_account_gets_a_one_time_password_its_first_sign_in_must_replace(seeded):
    issued = accounts.create_account(account("renhe"), AccountFields("lisi", "李四", Role.BOOTH_STAFF,
                                                                        org_named("仁和镇").id, "138-1234-5678"))

    assert len(issued.password) == 10 and issued.user.check_password(issued.password)
    assert issued.user.must_change_password and issued.user.mobile == "13812345678"
    assert passwords.authenticate("lisi", issued.password) == issued.user


@pytest.mark.parametrize("typed, stored", [("li.si_2", "li.si_2"), ("138 1234 5678", "13812345678"),
                                           ("+86 13812345678", "13812345678"), ("Ｗang-5", "Wang-5")])
def test_a_username_is_letters_digits_and_dot_dash_underscore_or_a_mobile(seeded, typed, stored):
    issued = accounts.create_account(account("district"), AccountFields(typed, "", Role.VIEWER,
                                                                           org_named("杨镇").id))
    assert issued.user.username == stored
    assert issued.user.display_name == stored  # a name left blank is the username


@pytest.mark.parametrize("typed", ["ab", "张三", "li si", "a" * 41, "renhe;drop"])
def test_a_username_outside_the_rule_is_refused_in_chinese_and_nothing_is_written(seeded, typed):
    before = db.session.scalar(select(func.count(User.id)))
    with pytest.raises(AppError) as refused:
        accounts.create_account(account("district"), AccountFields(typed, "", Role.VIEWER, org_named("杨镇").id))
    assert (refused.value.code, refused.value.status) == ("invalid_username", 422)
    assert "3–40 位字母、数字" in refused.value.message
    assert db.session.scalar(select(func.count(User.id))) == before


def test_a_taken_username_is_a_409_naming_it(seeded):
    with pytest.raises(AppError) as refused:
        accounts.create_account(account("district"), AccountFields("renhe", "", Role.VIEWER, org_named("杨镇").id))
    assert (refused.value.status, refused.value.message) == (409, "用户名 renhe 已存在")


def test_a_retired_union_is_refused_for_a_new_account_or_a_move_but_an_account_already_there_keeps_it(seeded):
    yangzhen = org_named("杨镇")
    resident = make_account(Role.VIEWER, yangzhen)
    yangzhen.retired_at = utcnow()
    db.session.commit()
    district = account("district")

    with pytest.raises(AppError) as refused:
        accounts.create_account(district, AccountFields("yang1", "", Role.VIEWER, yangzhen.id))
    assert refused.value.code == "org_retired" and "「杨镇」已撤销" in refused.value.message
    assert account("yang1") is None
    assert yangzhen not in accounts.union_choices(district)

    accounts.update_account(district, resident, AccountFields(resident.username, "还在杨镇", Role.VIEWER, yangzhen.id))
    with pytest.raises(AppError, match="已撤销"):
        accounts.update_account(district, account("viewer"), AccountFields("viewer", "", Role.VIEWER, yangzhen.id))


@pytest.mark.parametrize("action", [lambda me: accounts.deactivate(me, me), lambda me: accounts.reset_password(me, me)],
                         ids=["deactivate", "reset"])
def test_nobody_resets_or_deactivates_their_own_account(seeded, action):
    district = account("district")
    with pytest.raises(AppError) as refused:
        action(district)
    assert refused.value.code == "own_account"
    assert district.active and not district.must_change_password


def test_the_last_active_district_admin_is_neither_deactivated_nor_demoted(seeded):
    district = account("district")
    second = make_account(Role.DISTRICT_ADMIN, district.org)

    accounts.deactivate(second, district)  # another one is left: allowed
    with pytest.raises(AppError) as refused:
        accounts.deactivate(district)  # the shell too
    assert refused.value.code == "last_district_admin"
    with pytest.raises(AppError, match="最后一个可用的区总工会管理员"):
        accounts.update_account(district, district, AccountFields("district", "", Role.VIEWER, district.org_id))
    assert district.active and district.role is Role.DISTRICT_ADMIN


def test_a_reset_ends_the_accounts_sessions_and_its_old_password(seeded):
    booth = account("booth")
    version = booth.session_version

    password = accounts.reset_password(account("renhe"), booth)

    assert booth.session_version > version and booth.must_change_password
    assert passwords.authenticate("booth", "shunyi2026") is None
    assert passwords.authenticate("booth", password) == booth


def test_a_deactivated_account_can_sign_in_again_once_reactivated(seeded):
    renhe, booth = account("renhe"), account("booth")
    accounts.deactivate(booth, renhe)
    assert passwords.authenticate("booth", "shunyi2026") is None

    accounts.reactivate(booth, renhe)
    assert passwords.authenticate("booth", "shunyi2026") == booth


def test_booth_staff_moved_to_another_union_leave_the_booths_of_their_old_one(seeded):
    booth = account("booth")
    assert booth.booths  # the demo puts it at the main venue's booths (hosted by 仁和镇)

    accounts.update_account(account("district"), booth,
                            AccountFields("booth", "调到天竺", Role.BOOTH_STAFF, org_named("天竺镇").id))

    assert booth.booths == []


def test_the_list_finds_by_name_username_or_mobile_and_pages_by_id_without_guests(seeded):
    district, renhe = account("district"), account("renhe")
    made = [make_account(Role.BOOTH_STAFF, renhe.org, f"page{n}") for n in range(5)]
    made[2].mobile, made[3].display_name = "13911112222", "王小明"
    make_account(Role.BOOTH_STAFF, renhe.org, "guest-link", guest=True)
    db.session.commit()

    first = accounts.list_accounts(district, limit=4)
    second = accounts.list_accounts(district, after_id=first.next_after, limit=4)
    rest = accounts.list_accounts(district, after_id=second.next_after, limit=4)
    seen = [user.username for page in (first, second, rest) for user in page.accounts]
    assert seen == sorted(seen, key=lambda name: account(name).id) and rest.next_after is None
    assert len(seen) == 10 and "guest-link" not in seen  # 5 demo accounts and 5 made

    assert [u.username for u in accounts.list_accounts(district, "1391111").accounts] == ["page2"]
    assert [u.username for u in accounts.list_accounts(district, "王小明").accounts] == ["page3"]
    assert [u.username for u in accounts.list_accounts(district, "PAGE4").accounts] == ["page4"]
    assert {u.username for u in accounts.list_accounts(district, role=Role.ORG_ADMIN).accounts} == {"renhe", "tianzhu"}
    assert {u.org_id for u in accounts.list_accounts(renhe).accounts} == {renhe.org_id}


def test_every_change_is_audited_and_no_audit_row_holds_a_password(seeded):
    renhe = account("renhe")
    issued = accounts.create_account(renhe, AccountFields("wangwu", "王五", Role.VIEWER, renhe.org_id))
    accounts.update_account(renhe, issued.user, AccountFields("wangwu", "王五五", Role.BOOTH_STAFF, renhe.org_id))
    second = accounts.reset_password(renhe, issued.user)
    accounts.deactivate(issued.user, renhe)
    accounts.reactivate(issued.user, renhe)

    rows = db.session.scalars(select(AuditLog).where(AuditLog.target_id == issued.user.id,
                                                     AuditLog.target_type == "user").order_by(AuditLog.id)).all()
    assert [row.action for row in rows] == ["user.create", "user.update", "user.reset", "user.deactivate",
                                            "user.reactivate"]
    assert {row.user_id for row in rows} == {renhe.id}
    assert rows[1].detail == {"username": "wangwu", "display_name": "王五五", "role": "booth_staff"}
    written = json.dumps([row.detail for row in rows], ensure_ascii=False)
    assert issued.password not in written and second not in written


@pytest.fixture
def key_derivations(monkeypatch):
    """The scrypt cost parameter N of each password-hash computation made while the test runs."""
    calls = []
    real_scrypt = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(kwargs.get("n"))
        return real_scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


FULL_COST = 2**15  # werkzeug's default scrypt N, which every password a person chose is hashed with


@pytest.mark.parametrize("username", ["district", "no-such-user", "one-time"])
def test_a_wrong_password_costs_one_full_hash_whether_or_not_the_username_exists(seeded, key_derivations, username):
    accounts.create_account(account("district"), AccountFields("one-time", "", Role.VIEWER, org_named("杨镇").id))
    passwords.authenticate("warm-up", "any")  # a process makes its stand-in hash once, at its first login
    key_derivations.clear()

    assert passwords.authenticate(username, "wrong-password") is None
    assert key_derivations.count(FULL_COST) == 1
