"""flask setup district: a new install's first run creates the district and its first admin, once, in production too."""

import re

from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Org, Role, User
from tests.conftest import StaffSession
from tests.test_config import PRODUCTION_ENV

SETUP = ["setup", "district", "--name", "顺义区总工会", "--admin", "admin", "--admin-name", "王主任"]


def one_time_password(output: str) -> str:
    match = re.search(r"一次性密码：(\S+)", output)
    assert match, output
    return match.group(1)


def test_setup_district_prints_where_and_how_the_first_admin_signs_in(app, runner):
    result = runner.invoke(args=SETUP)

    assert result.exit_code == 0, result.output
    assert "http://testserver.local/login" in result.output and "用户名：    admin" in result.output
    assert "首次登录后必须设置自己的新密码" in result.output
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    assert (admin.role, admin.org.name, admin.display_name) == (Role.DISTRICT_ADMIN, "顺义区总工会", "王主任")
    assert admin.must_change_password


def test_the_printed_one_time_password_signs_the_admin_in(app, runner):
    password = one_time_password(runner.invoke(args=SETUP).output)

    response = StaffSession(app.test_client()).login("admin", password)
    assert response.status_code == 302 and "/login" not in response.location


def test_a_second_run_is_refused_and_creates_nothing(app, runner):
    runner.invoke(args=SETUP)
    result = runner.invoke(args=["setup", "district", "--name", "昌平区总工会", "--admin", "admin2"])

    assert result.exit_code != 0 and "已有区总工会「顺义区总工会」，不能再创建" in result.output
    assert db.session.scalar(select(func.count(Org.id))) == 1
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_setup_district_runs_on_a_production_configuration(tmp_path, monkeypatch):
    # Unlike demo seed: this is how a real install starts.
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/production.db")
    production = create_app({"APP_ENV": "production"})

    with production.app_context():
        upgrade()
        result = production.test_cli_runner().invoke(args=SETUP)

        assert result.exit_code == 0, result.output
        assert "https://join.example.org/login" in result.output
        assert db.session.scalar(select(Org.name)) == "顺义区总工会"
        db.session.remove()
        db.engine.dispose()
