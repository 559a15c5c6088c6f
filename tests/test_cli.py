"""CLI: the demo seed is complete and idempotent; staff accounts are created, reset and (re)activated."""

import re

from sqlalchemy import func, inspect, select

from app import create_app
from app.extensions import db
from app.models import Booth, Enterprise, Meeting, MeetingStatus, Org, Role, User, Venue
from app.models.base import utcnow
from app.services.setup import demo, passwords
from tests.test_config import PRODUCTION_ENV


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
