"""CLI: the demo seed is complete and idempotent; staff accounts are created, reset and (re)activated; after a
leaked SECRET_KEY one command signs everyone out."""

import re
import time

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, inspect, select

from app import create_app
from app.extensions import db
from app.models import AuditLog, Booth, Enterprise, Meeting, MeetingKind, MeetingStatus, Org, Role, User, Venue
from app.models.base import utcnow
from app.services import process_cache
from app.services.intake import workers
from app.services.live import intake_counters
from app.services.setup import demo, passwords
from miniprogram_api.auth import SALT
from tests.conftest import settings_for
from tests.factories import account
from tests.mp_fixtures import API, dev_token
from tests.test_config import PRODUCTION_ENV

LEAKED_KEY = "a-key-that-leaked-with-a-backup-" + "x" * 8


def row_counts() -> dict:
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar()
            for table in db.metadata.sorted_tables}


def test_demo_seed_creates_shunyi_and_an_open_meeting(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Org.id))) == 28  # the district and its 27 unions
    meeting = db.session.scalar(select(Meeting))
    assert meeting.status is MeetingStatus.OPEN
    main = next(v for v in meeting.venues if v.role.value == "main")
    assert main.place_name == "北京工字投资管理有限责任公司1号标厂"
    assert main.host_org.name == "仁和镇"
    assert {b.kind.value for b in main.booths} == {"found_union", "join", "legal", "card"}
    assert {u.role for u in db.session.scalars(select(User))} == set(Role)
    assert db.session.scalar(select(func.count(Enterprise.id))) == len(demo.DEMO_ENTERPRISES)
    for line in ("/login", "shunyi2026", "/posters", "/display/", "/q/"):
        assert line in result.output


def test_demo_seed_twice_changes_nothing(runner):
    runner.invoke(args=["demo", "seed"])
    first = row_counts()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert row_counts() == first
    assert first["venues"] == db.session.scalar(select(func.count(Venue.id))) == 5
    assert first["booths"] == db.session.scalar(select(func.count(Booth.id)))


def test_users_create_makes_an_org_admin(runner, seeded):
    result = runner.invoke(
        args=["users", "create", "yangzhen", "--role", "org_admin", "--org", "杨镇", "--password", "long-enough-1"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "yangzhen"))
    assert user.org.name == "杨镇" and user.check_password("long-enough-1")


def test_users_create_refuses_an_org_role_without_an_org(runner, seeded):
    result = runner.invoke(args=["users", "create", "nobody", "--role", "org_admin", "--password", "long-enough-1"])
    assert result.exit_code != 0
    assert "必须指定所属工会" in result.output


def test_users_create_shares_the_webs_username_rule_and_refuses_a_retired_union(runner, seeded):
    bad_name = runner.invoke(args=["users", "create", "张三", "--role", "viewer", "--password", "long-enough-1"])
    assert bad_name.exit_code != 0 and "用户名应为 3–40 位字母、数字" in bad_name.output

    db.session.scalar(select(Org).where(Org.name == "杨镇")).retired_at = utcnow()
    db.session.commit()
    retired = runner.invoke(args=["users", "create", "yang", "--role", "viewer", "--org", "杨镇",
                                  "--password", "long-enough-1"])
    assert retired.exit_code != 0 and "「杨镇」已撤销" in retired.output


def test_users_reset_password_prints_a_one_time_password_to_change_at_first_sign_in(runner, seeded):
    result = runner.invoke(args=["users", "reset-password", "renhe"])

    assert result.exit_code == 0, result.output
    password = re.search(r"一次性密码：(\S+)", result.output).group(1)
    renhe = db.session.scalar(select(User).where(User.username == "renhe"))
    assert renhe.must_change_password and renhe.check_password(password)
    assert not renhe.check_password(demo.DEMO_PASSWORD)


def test_users_reactivate_lets_a_deactivated_account_sign_in_again(runner, seeded):
    assert runner.invoke(args=["users", "deactivate", "booth"]).exit_code == 0
    assert passwords.authenticate("booth", demo.DEMO_PASSWORD) is None

    result = runner.invoke(args=["users", "reactivate", "booth"])

    assert result.exit_code == 0, result.output
    assert passwords.authenticate("booth", demo.DEMO_PASSWORD) is not None


def test_users_deactivate_refuses_the_last_district_admin_in_chinese(runner, seeded):
    result = runner.invoke(args=["users", "deactivate", "district"])
    assert result.exit_code != 0 and "最后一个可用的区总工会管理员" in result.output


def test_demo_seed_refuses_to_run_in_production(tmp_path, monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/production.db")
    production = create_app({"APP_ENV": "production"})

    with production.app_context():
        result = production.test_cli_runner().invoke(args=["demo", "seed"])

        assert result.exit_code != 0 and "生产环境不能导入演示数据" in result.output
        assert inspect(db.engine).get_table_names() == []


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "SECRET_KEY": LEAKED_KEY}


def forged_session_cookie(user: User) -> str:
    """A staff session cookie naming the account, signed with the leaked key by someone who never signed in."""
    forger = Flask("forger")
    forger.secret_key = LEAKED_KEY
    session = {"_user_id": f"{user.id}:{user.session_version}", "_fresh": True}
    return forger.session_interface.get_signing_serializer(forger).dumps(session)


def forged_worker_token(worker_id: int) -> str:
    return URLSafeTimedSerializer(LEAKED_KEY, salt=SALT).dumps({"w": worker_id, "i": int(time.time() * 1000)})


def me(client, token: str):
    return client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})


def signed_in_worker_id(client, name: str) -> int:
    return client.post(f"{API}/auth/login", json={"code": f"dev:{name}"}).json["worker"]["id"]


def test_sign_out_everyone_ends_staff_sessions_forged_with_a_leaked_key(app, client, runner, seeded):
    district = account("district")
    version = district.session_version
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], forged_session_cookie(district))
    assert client.get("/audit").status_code == 200

    result = runner.invoke(args=["security", "sign-out-everyone"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert account("district").session_version == version + 1
    assert all(user.session_version > 0 for user in db.session.scalars(select(User)))
    refused = client.get("/audit")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert db.session.scalar(select(AuditLog.detail).where(AuditLog.action == "security.sign_out_everyone")) == {
        "accounts": db.session.scalar(select(func.count(User.id))), "workers": 0}


def test_a_session_forged_under_a_leaked_fallback_outlives_that_key_until_everyone_is_signed_out(
        app, client, runner, seeded):
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "a-new-key-" + "n" * 30, [LEAKED_KEY]
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], forged_session_cookie(account("district")))
    assert client.get("/audit").status_code == 200  # answered with the cookie re-signed by the new key

    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/audit").status_code == 200  # dropping the leaked key no longer helps
    assert runner.invoke(args=["security", "sign-out-everyone"]).exit_code == 0
    assert client.get("/audit").status_code == 302


def test_sign_out_everyone_refuses_worker_tokens_forged_with_a_leaked_key_and_new_logins_work(
        app, client, runner, seeded):
    worker_id = signed_in_worker_id(client, "wang")
    other_id = signed_in_worker_id(client, "li")
    forged, forged_other = forged_worker_token(worker_id), forged_worker_token(other_id)
    assert me(client, forged).status_code == 200  # and the revocation list is now cached in this process

    result = runner.invoke(args=["security", "sign-out-everyone"])

    assert result.exit_code == 0, result.output
    assert "2 位职工" in result.output
    answer = me(client, forged)
    assert (answer.status_code, answer.json["error"]["code"]) == (401, "token_revoked")
    assert me(client, forged_other).status_code == 401
    assert me(client, dev_token(client, "wang")).status_code == 200


@pytest.mark.scaled_only
def test_sign_out_everyone_in_another_process_reaches_this_one(app, client, seeded):
    token = forged_worker_token(signed_in_worker_id(client, "zhao"))
    assert me(client, token).status_code == 200  # the first look starts this process's subscription
    assert process_cache.caches().subscribed.wait(10)
    assert me(client, token).status_code == 200  # answered from this process's cached revocation list
    # Another app is another set of caches with its own subscription: as far as caches go, another process.
    elsewhere = create_app(settings_for(app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=LEAKED_KEY))
    with elsewhere.app_context():
        assert elsewhere.test_cli_runner().invoke(args=["security", "sign-out-everyone"]).exit_code == 0
        db.session.remove()
        db.engine.dispose()
    revocations = process_cache.caches().named(workers.REVOCATIONS_CACHE)
    deadline = time.monotonic() + 10
    while revocations.entries and time.monotonic() < deadline:
        time.sleep(0.05)
    assert me(client, token).json["error"]["code"] == "token_revoked"


def a_meeting(title: str, status: MeetingStatus) -> Meeting:
    meeting = Meeting(title=title, held_on=utcnow().date(), kind=MeetingKind.TOWN, status=status,
                      organiser_org_id=account("renhe").org_id)
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture
def recounted(monkeypatch):
    """The meetings each `flask intake rebuild` / `reconcile` went through, by title."""
    seen = []
    for name in ("rebuild", "reconcile"):
        original = getattr(intake_counters, name)
        monkeypatch.setattr(intake_counters, name,
                            lambda meeting_id, original=original: seen.append(db.session.get(Meeting, meeting_id).title)
                            or original(meeting_id))
    return seen


@pytest.mark.parametrize("command", ["rebuild", "reconcile"])
def test_intake_commands_go_through_the_open_meetings_not_the_years_closed_ones(runner, seeded, recounted, command):
    for title, status in (("上月的镇街沟通会", MeetingStatus.CLOSED), ("去年的沟通会", MeetingStatus.ARCHIVED),
                          ("下周的沟通会", MeetingStatus.DRAFT), ("今天的镇街沟通会", MeetingStatus.OPEN)):
        a_meeting(title, status)
    closed = db.session.scalar(select(Meeting).where(Meeting.title == "上月的镇街沟通会"))

    assert runner.invoke(args=["intake", command]).exit_code == 0
    assert recounted == [demo.MEETING_TITLE, "今天的镇街沟通会"]

    recounted.clear()
    assert runner.invoke(args=["intake", command, "--meeting", str(closed.id)]).exit_code == 0
    assert recounted == ["上月的镇街沟通会"]

    recounted.clear()
    assert runner.invoke(args=["intake", command, "--all"]).exit_code == 0
    assert recounted == [demo.MEETING_TITLE, "上月的镇街沟通会", "下周的沟通会", "今天的镇街沟通会"]
