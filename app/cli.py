"""flask setup district · flask demo seed · flask users create|password|reset-password|deactivate|reactivate ·
flask intake rebuild|reconcile · flask privacy purge · flask workers revoke-tokens ·
flask security sign-out-everyone."""

import time
from contextlib import contextmanager

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import Meeting, Org, Role, User
from app.services import privacy, revocation
from app.services.intake import workers
from app.services.live import intake_counters
from app.services.setup import accounts, demo, entry_codes, passwords, unions

demo_cli = click.Group("demo", help="Demo data for a first look.")
users_cli = click.Group("users", help="Staff accounts.")
intake_cli = click.Group("intake", help="Live intake counters.")
privacy_cli = click.Group("privacy", help="Personal information retention (PIPL).")
workers_cli = click.Group("workers", help="Workers of the mini-program and the H5 page.")
security_cli = click.Group("security", help="After a leaked SECRET_KEY.")


@demo_cli.command("seed")
def demo_seed():
    """Seed the Shunyi demo (idempotent) and print where to go."""
    if current_app.config["APP_ENV"] == "production":
        # The demo accounts' password is printed in the README: in production they would be open doors.
        raise click.ClickException("生产环境不能导入演示数据（演示账号的密码是公开的）")
    summary = demo.seed_demo()
    demo.seed_demo_ledger()
    base = current_app.config["PUBLIC_BASE_URL"]
    meeting = summary.meeting
    main_code = next(c for c in entry_codes.active_codes(meeting) if c.booth and c.booth.kind.value == "join")
    click.echo(f"Staff login:   {base}/login")
    for username, label in summary.accounts:
        click.echo(f"  {label:<10} {username} / {demo.DEMO_PASSWORD}")
    click.echo(f"Meeting:       {base}/meetings/{meeting.id}  ({meeting.title}, {meeting.status_label})")
    click.echo(f"Poster sheet:  {base}/meetings/{meeting.id}/posters")
    click.echo(f"Display:       {base}/display/{summary.display_token}")
    click.echo(f"H5 entry:      {base}/q/{main_code.code}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_name", help="所属工会名称 (every role but district_admin)")
@click.option("--name", "display_name", default="")
@click.password_option()
def users_create(username, role, org_name, display_name, password):
    """Create a staff account."""
    org = db.session.scalar(select(Org).where(Org.name == org_name)) if org_name else None
    if org_name and org is None:
        raise click.ClickException(f"找不到工会：{org_name}")
    with refusals_in_chinese():
        user = accounts.create_user(username, password, Role(role), org, display_name)
    click.echo(f"created {user.username} ({user.role_label})")


@contextmanager
def refusals_in_chinese():
    """A service's refusal ends the command with its Chinese message (and exit code 1), not a traceback."""
    try:
        yield
    except AppError as error:
        raise click.ClickException(error.message) from error


def staff_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"找不到账号：{username}")
    return user


@users_cli.command("password")
@click.argument("username")
@click.password_option()
def users_password(username, password):
    """Set a new password; every session of the account ends."""
    with refusals_in_chinese():
        passwords.change_password(staff_user(username), password)
    click.echo(f"password changed for {username}; its sessions have ended")


@users_cli.command("reset-password")
@click.argument("username")
def users_reset_password(username):
    """Print a one-time password for the account; its sessions end and its next sign-in must choose its own."""
    with refusals_in_chinese():
        password = accounts.reset_password(None, staff_user(username))
    click.echo(f"一次性密码：{password}")
    click.echo(f"{username} 的登录已全部退出；用一次性密码登录后必须设置自己的新密码。一次性密码只显示这一次。")


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username):
    """Stop an account from signing in; its open sessions end now."""
    with refusals_in_chinese():
        accounts.deactivate(staff_user(username))
    click.echo(f"deactivated {username}; its sessions have ended")


@users_cli.command("reactivate")
@click.argument("username")
def users_reactivate(username):
    """Let a deactivated account sign in again with its password."""
    with refusals_in_chinese():
        accounts.reactivate(staff_user(username))
    click.echo(f"reactivated {username}")


def meetings_to_count(meeting_id: int | None, every_unarchived: bool) -> list[Meeting]:
    if meeting_id is None:
        return intake_counters.meetings_to_recount(every_unarchived)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"找不到沟通会：{meeting_id}")
    return [meeting]


def which_meetings(command):
    command = click.option("--all", "every_unarchived", is_flag=True,
                           help="所有未归档的沟通会（含已结束的），而不只是进行中的")(command)
    return click.option("--meeting", "meeting_id", type=int, help="只处理这场沟通会（默认：进行中的）")(command)


@intake_cli.command("rebuild")
@which_meetings
def intake_rebuild(meeting_id, every_unarchived):
    """Recompute the counters of the open meetings (or --meeting ID, or --all unarchived) from the SQL rows."""
    for meeting in meetings_to_count(meeting_id, every_unarchived):
        intake_counters.rebuild(meeting.id)
        values = intake_counters.meeting_counts(meeting.id).values_of("meeting", meeting.id)
        click.echo(f"{meeting.id} {meeting.title}: " + " ".join(f"{k}={v}" for k, v in values.items()))


@intake_cli.command("reconcile")
@which_meetings
def intake_reconcile(meeting_id, every_unarchived):
    """Compare the counters of the open meetings (or --meeting ID, or --all unarchived) with SQL, repair drift."""
    for meeting in meetings_to_count(meeting_id, every_unarchived):
        repaired = intake_counters.reconcile(meeting.id)
        click.echo(f"{meeting.id} {meeting.title}: {'repaired' if repaired else 'in step'}")


@privacy_cli.command("purge")
def privacy_purge():
    """Remove PII of rejected/withdrawn applications and unlink old scans after RETENTION_DAYS.

    Prints a line per committed batch; an interrupted run keeps its batches, and running it again finishes.
    """
    result = privacy.purge_expired(progress=batch_printer())
    days = current_app.config["RETENTION_DAYS"]
    click.echo(
        f"retention {days} days: purged {result.applications} applications, unlinked {result.scans} scans, "
        f"forgot {result.workers} workers' phone numbers"
    )


def batch_printer():
    """Print each committed batch: the step, how far it is of what it found, the batch's and the run's seconds."""
    started = last = time.monotonic()

    def told(step: str, done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        click.echo(f"{step}: {done:,} of {total:,} done ({now - last:.1f} s, {now - started:.1f} s in all)")
        last = now

    return told


@workers_cli.command("revoke-tokens")
@click.argument("worker_id", type=int)
def workers_revoke_tokens(worker_id):
    """Refuse every bearer token the worker holds (a lost or stolen phone); they sign in again."""
    if workers.find(worker_id) is None:
        raise click.ClickException(f"找不到该职工：{worker_id}")
    workers.revoke_tokens(worker_id)
    click.echo(f"worker {worker_id}: every token issued until now is refused")


@security_cli.command("sign-out-everyone")
def security_sign_out_everyone():
    """End every staff session and refuse every worker token issued until now (after rotating a leaked key)."""
    signed_out = revocation.sign_out_everyone()
    click.echo(f"{signed_out.accounts} 个工作人员账号的登录已全部退出，"
               f"{signed_out.workers} 位职工的登录凭证已全部作废；他们重新登录即可")


setup_cli = click.Group("setup", help="A new install's first run.")


@setup_cli.command("district")
@click.option("--name", required=True, help="区总工会名称，例如 顺义区总工会")
@click.option("--admin", "admin_username", required=True, help="第一个区总工会管理员的用户名")
@click.option("--admin-name", "admin_display_name", default="", help="管理员姓名（页面上显示）")
def setup_district(name, admin_username, admin_display_name):
    """Create the district federation and its first admin, who signs in once with a one-time password."""
    try:
        issued = unions.create_district(name, admin_username, admin_display_name)
    except AppError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"已创建区总工会：{issued.user.org.name}")
    click.echo(f"登录地址：  {current_app.config['PUBLIC_BASE_URL']}/login")
    click.echo(f"用户名：    {issued.user.username}")
    click.echo(f"一次性密码：{issued.password}")
    click.echo("首次登录后必须设置自己的新密码；一次性密码只显示这一次，请妥善转交。")


def register_commands(app: Flask) -> None:
    app.cli.add_command(workers_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(intake_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(setup_cli)
    app.cli.add_command(security_cli)
