"""A new district's whole first day, as the README's production steps say: from an empty database, the commands of
its block, then the web alone — unions imported, a town admin and its booth staff made (each first sign-in chooses a
password), a 27-venue meeting imported, staffed and opened, a worker's join through the real /mp/v1 counted on the
booth's console, approved by the town, and shown on the district overview.

In the PostgreSQL + Redis pass the server runs under APP_ENV=production; in the embedded pass (SQLite, no Redis,
which production refuses) under development settings, with the same steps.
"""

import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from tests.browser_fixtures import assert_accessible
from tests.conftest import SCALED
from tests.factories import id_number
from tests.intake_fixtures import OwnRedis
from tests.servers import wait_until_answering
from tests.services.setup.test_venue_sheet import sheet
from tests.test_config import PRODUCTION_ENV
from tests.test_health import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
DESK = {"width": 1366, "height": 768}
SECTION = "### From an empty database to a meeting open for intake"
# The names of the pages and buttons this test uses, as the README's steps name them.
README_NAMES = ["工会 → Excel 导入", "上传并预览", "确认导入", "账号 → 新建账号", "打印登录条", "沟通会 → 新建沟通会",
                "从表格导入会场和岗位", "预览", "安排", "打印岗位链接", "各会场大屏链接", "开放入会"]
UNIONS_EXAMPLE = ROOT / "app" / "services" / "setup" / "examples" / "shunyi-unions.xlsx"
BOOTH_KINDS = (("建会", "建会岗"), ("入会", "入会岗"), ("法律咨询", "法律咨询岗"), ("互助服务卡", "互助服务卡岗"))


def readme_steps() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(SECTION)
    return text[start:text.index("\n## ", start)]


def readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", readme_steps(), re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.fixture
def install(tmp_path, fresh_database_url, fake_wechat):
    """The environment of a new install: an empty database, its own Redis in production, keys of its own."""
    port = free_port()
    env = {
        **os.environ, "DATABASE_URL": fresh_database_url(), "SECRET_KEY": uuid.uuid4().hex * 2,
        "PII_KEY": Fernet.generate_key().decode(), "PII_HMAC_KEY": uuid.uuid4().hex * 2,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "BIND": f"127.0.0.1:{port}",
        "HOME": str(tmp_path),  # gunicorn's control socket under it, apart from any other server's
        "INTAKE_RECONCILE_SECONDS": "0", "PRIVACY_CONTACT": PRODUCTION_ENV["PRIVACY_CONTACT"], **fake_wechat.settings,
    }
    for name in ("REDIS_URL", "FLASK_APP", "DEV_LOGIN_ENABLED"):
        env.pop(name, None)
    redis = OwnRedis().start() if SCALED else None
    # Embedded mode feeds the live stream in-process: one worker (gunicorn.conf.py's default without Redis).
    env.update({"APP_ENV": "production", "REDIS_URL": redis.url, "WEB_CONCURRENCY": "2"} if SCALED
               else {"APP_ENV": "development", "WEB_CONCURRENCY": "1"})
    yield env, f"http://127.0.0.1:{port}"
    if redis:
        redis.stop()


@pytest.fixture
def served(install):
    """The README's commands run in order; the last one (gunicorn) keeps serving until the test ends."""
    env, url = install
    *commands, serve = readme_commands()
    printed = "".join(run(command, env) for command in commands)
    server = subprocess.Popen(serve.split(), cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(int(url.rsplit(":", 1)[1]))
        yield url, printed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def run(command: str, env: dict) -> str:
    done = subprocess.run(command.split(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    return done.stdout


class Desk:
    """One person at a 1366x768 desk, in a browser of their own."""

    def __init__(self, chromium, url: str, name: str):
        self.context = chromium.new_context(viewport=DESK, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.url, self.name = url, name

    def shot(self, what: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"first-day-{what}.png", full_page=True)
        assert_accessible(self.page, f"first-day-{what}")

    def go(self, path: str) -> None:
        self.page.goto(self.url + path)

    def nav(self, link: str) -> None:
        self.page.locator(".topbar").get_by_role("link", name=link, exact=True).click()

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).or_(
            self.page.get_by_role("link", name=name, exact=True)).first.click()

    def first_sign_in(self, username: str, one_time: str, password: str) -> None:
        """Sign in with a one-time password: the site asks for one's own before anything else."""
        self.go("/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(one_time)
        self.click("登录")
        expect(self.page.get_by_role("heading", name="设置自己的密码")).to_be_visible()
        self.shot(f"{self.name}-first-sign-in")
        self.page.get_by_label("当前密码（首次登录请填一次性密码）").fill(one_time)
        self.page.get_by_label("新密码（至少 8 位）").fill(password)
        self.page.get_by_label("再次输入新密码").fill(password)
        self.click("保存新密码")
        self.page.wait_for_url(lambda url: "/account/password" not in url)

    def upload(self, path: Path | bytes, submit: str) -> None:
        files = {"name": "sheet.xlsx", "mimeType": "application/octet-stream", "buffer": path} \
            if isinstance(path, bytes) else path
        self.page.locator('input[type="file"]').set_input_files(files)
        self.click(submit)

    def issued_password(self) -> str:
        slip = self.page.locator(".slip").first
        return slip.locator("p", has_text="一次性密码").locator(".slip-secret").inner_text().strip()

    def close(self) -> None:
        self.context.close()


def create_account(desk: Desk, username: str, name: str, role: str, union: str) -> str:
    """账号 → 新建账号; returns the one-time password the page shows once."""
    desk.nav("账号")
    desk.click("新建账号")
    desk.page.get_by_label("用户名（字母、数字或手机号）").fill(username)
    desk.page.get_by_label("姓名").fill(name)
    desk.page.get_by_label("角色").select_option(label=role)
    desk.page.get_by_label("所属工会").select_option(label=union)
    desk.click("创建账号")
    expect(desk.page.get_by_role("button", name="打印登录条")).to_be_visible()
    desk.shot(f"{desk.name}-account-issued")
    return desk.issued_password()


def day_sheet() -> bytes:
    """The 27 unions' day: 仁和镇 hosts the main venue too; 104 booths in all (a union's merged venue cells)."""
    from openpyxl import load_workbook

    towns = [row[0] for row in load_workbook(UNIONS_EXAMPLE).active.iter_rows(min_row=2, values_only=True)]
    venues = [("主会场", "主会场", "仁和镇", "北京工字投资管理有限责任公司1号标厂", BOOTH_KINDS)]
    venues += [(f"{town}分会场", "分会场", town, f"{town}职工服务中心", BOOTH_KINDS if n < 19 else BOOTH_KINDS[:3])
               for n, town in enumerate(towns)]
    rows = []
    for name, role, host, place, kinds in venues:
        rows.append([name, role, host, place, f"北京市顺义区{host}", *kinds[0], ""])
        rows += [["", "", "", "", "", *kind, ""] for kind in kinds[1:]]
    return sheet(rows)


def join_booth(desk: Desk):
    """The 入会岗 of 仁和镇's sub-venue on the meeting page."""
    venue = desk.page.locator("section.venue", has_text="仁和镇分会场")
    return venue.locator("li").filter(has=desk.page.locator(".booth-kind", has_text=re.compile("^入会岗$")))


def join_through_the_api(url: str, entry_code: str) -> int:
    """A worker's phone: WeChat login (the fake WeChat answers code2session), then the join with its key."""
    login = requests.post(f"{url}/mp/v1/auth/login", json={"code": "first-day-worker"}, timeout=10)
    assert login.status_code == 200, login.text
    body = {"entry_code": entry_code, "name": "李建国", "id_number": id_number(), "mobile": "13912345678",
            "employer": "北京顺义物流有限公司", "industry": "交通运输、仓储和邮政业", "new_form_job": "快递员",
            "consent": True, "consent_version": "2026-11"}
    headers = {"Authorization": f"Bearer {login.json()['token']}", "Idempotency-Key": uuid.uuid4().hex}
    joined = requests.post(f"{url}/mp/v1/membership-applications", json=body, headers=headers, timeout=10)
    assert joined.status_code == 201, joined.text
    return joined.json()["id"]


def test_a_new_district_goes_from_an_empty_database_to_a_member_on_its_overview(chromium, served):
    url, printed = served
    steps = readme_steps()
    assert [name for name in README_NAMES if name not in steps] == []
    admin_one_time = re.search(r"一次性密码：(\S+)", printed).group(1)

    district = Desk(chromium, url, "district")
    district.first_sign_in("admin", admin_one_time, "district-admin-2027")

    district.nav("工会")
    district.click("Excel 导入")
    district.upload(UNIONS_EXAMPLE, "上传并预览")
    expect(district.page.get_by_text("新增 27 个")).to_be_visible()
    district.shot("district-unions-preview")
    district.click("确认导入")
    expect(district.page.get_by_role("cell", name="赵全营镇", exact=True)).to_be_visible()
    district.shot("district-unions")

    renhe_one_time = create_account(district, "renhe", "仁和镇工会王主席", "镇街工会管理员", "仁和镇")
    town = Desk(chromium, url, "town")
    town.first_sign_in("renhe", renhe_one_time, "renhe-admin-2027")
    booth_one_time = create_account(town, "13800000001", "仁和镇入会岗张伟", "岗位工作人员", "仁和镇")

    district.nav("沟通会")
    district.click("新建沟通会")
    district.page.get_by_label("名称").fill("顺义区职工沟通会")
    district.page.get_by_label("日期").fill("2027-03-15")
    district.click("保存")
    district.click("从表格导入会场和岗位")
    district.upload(day_sheet(), "预览")
    expect(district.page.get_by_text("将导入 28 个会场（新增 28）、104 个岗位（新增 104）")).to_be_visible()
    district.shot("district-venues-preview")
    district.click("确认导入")
    meeting_path = district.page.url.removeprefix(url)

    town.go(meeting_path)
    join_booth(town).get_by_label("安排到入会岗的人员").select_option(label="仁和镇入会岗张伟（13800000001）")
    join_booth(town).get_by_role("button", name="安排").click()
    expect(join_booth(town).locator(".person")).to_contain_text("仁和镇入会岗张伟")
    town.shot("town-meeting")

    for sheet_page in ("打印岗位链接", "各会场大屏链接"):
        district.go(meeting_path)
        district.click(sheet_page)
        district.click("为还没有链接的岗位生成链接" if sheet_page == "打印岗位链接" else "为还没有链接的会场生成链接")
        district.shot("district-" + ("booth-links" if sheet_page == "打印岗位链接" else "venue-screens"))
    district.go(meeting_path)
    district.click("开放入会")
    expect(district.page.get_by_text("进行中").first).to_be_visible()
    district.shot("district-meeting-open")

    booth = Desk(chromium, url, "booth")
    booth.first_sign_in("13800000001", booth_one_time, "booth-staff-2027")
    booth.page.get_by_role("link", name=re.compile("入会岗")).first.click()
    joins = booth.page.locator('[data-scope="booth"] [data-metric="joins"]')
    expect(joins).to_have_text("0")

    town.go(meeting_path)
    entry_code = join_booth(town).locator(".entry-code").inner_text().strip()  # what its poster's QR carries
    application_id = join_through_the_api(url, entry_code)
    expect(joins).to_have_text("1", timeout=30_000)
    booth.shot("booth-console-counted")

    town.go(f"/review/{application_id}")
    town.click("通过")
    expect(town.page.get_by_text("已通过").first).to_be_visible()

    district.nav("全区概览")
    new_members = district.page.locator("tr", has_text="新会员").locator("td").last
    expect(new_members).to_have_text("1")
    district.shot("district-overview")
    for desk in (district, town, booth):
        desk.close()
