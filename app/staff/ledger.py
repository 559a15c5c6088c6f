"""Ledger pages: the firm list and 应建未建 list, a firm with its contacts, Excel import and export."""

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.downloads import streamed_download
from app.errors import AppError
from app.services.ledger import enterprises as ledger
from app.services.ledger import spreadsheet as ledger_io
from app.services.ledger.enterprises import CONTACT_KINDS
from app.staff import bp
from app.staff.forms import render_form, with_org_choices
from app.staff.ledger_forms import ContactForm, EnterpriseForm, attach_errors
from app.staff.listing import requested_page
from app.staff.uploads import accepts_sheet, uploaded_sheet


@bp.get("/ledger")
@login_required
def ledger_list():
    wanted = ledger.LedgerFilter(
        town_org_id=request.args.get("town_org_id", type=int),
        should_found_only=request.args.get("should_found") == "1",
        search=request.args.get("q", ""),
    )
    return render_template(
        "staff/ledger_list.html",
        page=ledger.ledger_page(current_user, wanted, requested_page()),
        towns=ledger.town_choices(current_user),
        wanted=wanted,
    )


@bp.route("/ledger/new", methods=["GET", "POST"])
@login_required
def ledger_create():
    save = partial(ledger.create_enterprise, current_user)
    return enterprise_form_page(EnterpriseForm(), save, "企业已加入台账", None)


@bp.route("/ledger/<int:enterprise_id>/edit", methods=["GET", "POST"])
@login_required
def ledger_edit(enterprise_id: int):
    enterprise = ledger.get_enterprise(current_user, enterprise_id)
    save = partial(ledger.update_enterprise, current_user, enterprise)
    return enterprise_form_page(EnterpriseForm(obj=enterprise), save, "已保存", enterprise)


def enterprise_form_page(form: EnterpriseForm, save, saved_message: str, enterprise):
    """Validate, save through `save(fields)` and go to the firm; a refused field re-renders the form."""
    with_org_choices(form, "town_org_id", ledger.town_choices(current_user))
    if form.validate_on_submit():
        try:
            saved = save(form.fields())
        except AppError as error:
            attach_errors(form, error)
        else:
            flash(saved_message)
            return redirect(url_for("staff.ledger_detail", enterprise_id=saved.id))
    return render_form("staff/ledger_form.html", form, enterprise=enterprise)


@bp.route("/ledger/<int:enterprise_id>", methods=["GET", "POST"])
@login_required
def ledger_detail(enterprise_id: int):
    enterprise = ledger.get_enterprise(current_user, enterprise_id)
    form = ContactForm()
    if form.validate_on_submit():
        ledger.add_contact(current_user, enterprise, form.fields())
        flash("联系记录已添加")
        return redirect(url_for("staff.ledger_detail", enterprise_id=enterprise.id))
    return render_form("staff/ledger_detail.html", form, enterprise=enterprise, kinds=CONTACT_KINDS,
                       contacts=ledger.contact_page(enterprise, requested_page()))


@bp.post("/ledger/<int:enterprise_id>/delete")
@login_required
def ledger_delete(enterprise_id: int):
    enterprise = ledger.get_enterprise(current_user, enterprise_id)
    ledger.delete_enterprise(current_user, enterprise, request.remote_addr)
    flash(f"已从台账删除「{enterprise.name}」")
    return redirect(url_for("staff.ledger_list"))


@bp.get("/ledger/import")
@login_required
def ledger_import_page():
    return render_template("staff/ledger_import.html", result=None)


@bp.post("/ledger/import")
@accepts_sheet
@login_required
def ledger_import():
    result = ledger_io.import_workbook(current_user, uploaded_sheet(), request.remote_addr)
    return render_template("staff/ledger_import.html", result=result)


@bp.get("/ledger/export")
@login_required
def ledger_export():
    return streamed_download(ledger_io.export_workbook(current_user))
