"""Staff accounts in the web: the list, create, edit, reset, (de)activate, bulk booth accounts, one's own password."""

import io

from flask import current_app, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required, login_user

from app.errors import AppError
from app.extensions import limiter
from app.models import Meeting, Role, User
from app.models.staff import ROLE_LABELS
from app.services import access, sheets
from app.services.local_time import in_shanghai
from app.services.setup import accounts, booth_accounts, passwords
from app.services.setup.accounts import AccountFields
from app.staff import bp
from app.staff.auth import home_of, login_limit
from app.staff.forms import (
    AccountEditForm,
    AccountForm,
    PasswordChangeForm,
    labelled_choices,
    render_form,
    with_org_choices,
)
from app.staff.ledger_forms import attach_errors
from app.staff.meetings import get_or_404
from app.staff.uploads import accepts_sheet, confirmed, uploaded_sheet


@bp.get("/accounts")
@login_required
def account_list():
    role = request.args.get("role", "")
    org_id = request.args.get("org_id", type=int)
    page = accounts.list_accounts(current_user, request.args.get("q", ""), Role(role) if role in ROLE_LABELS else None,
                                  org_id, request.args.get("after", type=int))
    return render_template(
        "staff/account_list.html", page=page, role_labels=ROLE_LABELS, unions=accounts.union_choices(current_user),
        wanted={"q": request.args.get("q", ""), "role": role, "org_id": org_id, "after": request.args.get("after")},
        may_manage=lambda account: access.can_manage_account(current_user, account.role, account.org_id),
        when=in_shanghai,
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
@login_required
def account_create():
    form = AccountForm()
    offer_choices(form, None)
    if form.validate_on_submit():
        try:
            issued = accounts.create_account(current_user, account_fields(form, form.username.data))
        except AppError as error:
            attach_errors(form, error)
        else:
            return one_time_password_page(issued.user, issued.password, "账号已创建")
    return render_form("staff/account_form.html", form, account=None)


@bp.route("/accounts/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def account_edit(user_id: int):
    account = accounts.managed_account(current_user, user_id)
    form = AccountEditForm(obj=account, role=account.role.value)
    offer_choices(form, account)
    if form.validate_on_submit():
        try:
            accounts.update_account(current_user, account, account_fields(form, account.username))
        except AppError as error:
            attach_errors(form, error)
        else:
            flash(f"账号 {account.username} 已保存")
            return redirect(url_for("staff.account_list"))
    return render_form("staff/account_form.html", form, account=account, when=in_shanghai)


def offer_choices(form: AccountEditForm, account: User | None) -> None:
    """The roles and unions the signed-in admin may give (and the account's own union, even a retired one)."""
    form.role.choices = labelled_choices({role.value: ROLE_LABELS[role.value]
                                          for role in accounts.role_choices(current_user)})
    unions = accounts.union_choices(current_user)
    if account is not None and account.org is not None and account.org not in unions:
        unions.append(account.org)
    with_org_choices(form, "org_id", unions)


def account_fields(form: AccountEditForm, username: str) -> AccountFields:
    return AccountFields(username, form.display_name.data, Role(form.role.data), form.org_id.data,
                         form.mobile.data or "")


@bp.post("/accounts/<int:user_id>/reset-password")
@login_required
def account_reset(user_id: int):
    account = accounts.managed_account(current_user, user_id)
    password = accounts.reset_password(current_user, account)
    return one_time_password_page(account, password, "已重置密码")


def one_time_password_page(account: User, password: str, heading: str):
    """The one-time password, shown in this response only: nothing keeps it, and the browser must not either."""
    page = render_template("staff/account_issued.html", account=account, password=password, heading=heading,
                           login_url=login_url())
    return not_stored(make_response(page))


def not_stored(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def login_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("staff.login")


@bp.post("/accounts/<int:user_id>/deactivate")
@login_required
def account_deactivate(user_id: int):
    return account_switched(user_id, accounts.deactivate, "账号 {} 已停用，它的登录已全部退出")


@bp.post("/accounts/<int:user_id>/reactivate")
@login_required
def account_reactivate(user_id: int):
    return account_switched(user_id, accounts.reactivate, "账号 {} 已重新启用")


def account_switched(user_id: int, switch, done: str):
    account = accounts.managed_account(current_user, user_id)
    switch(account, current_user)
    flash(done.format(account.username))
    return redirect(url_for("staff.account_edit", user_id=account.id))


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@login_required
def password_change():
    form = PasswordChangeForm()
    first_sign_in = current_user.must_change_password
    if form.validate_on_submit():
        try:
            passwords.change_own_password(current_user, form.current_password.data, form.new_password.data,
                                         form.confirm_password.data)
        except AppError as error:
            attach_errors(form, error)
        else:
            # The new password ended every session, this one too: sign this browser in again on the new version.
            login_user(current_user._get_current_object())
            flash("密码已修改，请记住新密码")
            return redirect(home_of(current_user))
    return render_form("staff/password_change.html", form, first_sign_in=first_sign_in)


@bp.route("/meetings/<int:meeting_id>/booth-accounts", methods=["GET", "POST"])
@accepts_sheet
@login_required
def booth_accounts_import(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    booth_accounts.check_meeting(current_user, meeting)
    if request.method == "GET":
        return import_page(meeting, None)
    content = uploaded_sheet()
    plan = booth_accounts.plan_import(current_user, meeting, content)
    if confirmed() and not plan.errors:
        slips = booth_accounts.create_accounts(current_user, plan, request.remote_addr)
        return not_stored(make_response(render_template(
            "staff/booth_accounts_slips.html", meeting=meeting, slips=slips, login_url=login_url())))
    return import_page(meeting, plan, sheets.carried(content)), 422 if plan.errors else 200


def import_page(meeting: Meeting, plan: booth_accounts.Plan | None, sheet: str = "") -> str:
    return render_template("staff/booth_accounts_import.html", meeting=meeting, plan=plan, sheet=sheet,
                           max_rows=booth_accounts.MAX_ROWS)


@bp.get("/booth-accounts/template.xlsx")
@login_required
def booth_accounts_template():
    return send_file(io.BytesIO(booth_accounts.template()), as_attachment=True, download_name="岗位账号模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
