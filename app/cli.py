"""flask demo seed · flask users create (later: intake rebuild, privacy purge)."""

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import Org, Role
from app.services import accounts, demo, entry_codes

demo_cli = click.Group("demo", help="Demo data for a first look.")
users_cli = click.Group("users", help="Staff accounts.")


@demo_cli.command("seed")
def demo_seed():
    """Seed the Shunyi demo (idempotent) and print where to go."""
    summary = demo.seed_demo()
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
    try:
        user = accounts.create_user(username, password, Role(role), org, display_name)
    except AppError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created {user.username} ({user.role_label})")


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
