"""The union tree: the district's 镇 / 街道 / 功能区 unions, created, renamed, ordered, retired and imported."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app.errors import AppError
from app.services import sheets
from app.services.setup import union_sheet, unions
from app.staff import bp
from app.staff.forms import render_form
from app.staff.ledger_forms import attach_errors
from app.staff.uploads import accepts_sheet, confirmed, uploaded_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnionForm(FlaskForm):
    # Checked by unions.union_fields, the same rules (and Chinese messages) as a sheet row.
    name = StringField("名称")
    kind = SelectField("类型", choices=[SelectChoice(k, k) for k in unions.KIND_CHOICES], validate_choice=False)
    sort_order = StringField("排序")


@bp.get("/unions")
@login_required
def union_list():
    return render_template("staff/union_list.html", listings=unions.listed_unions(current_user))


@bp.route("/unions/new", methods=["GET", "POST"])
@login_required
def union_create():
    return union_form_page(UnionForm(), None, "工会已创建")


@bp.route("/unions/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def union_edit(org_id: int):
    org = unions.get_union(current_user, org_id)
    form = UnionForm(data={"name": org.name, "kind": org.kind_label, "sort_order": org.sort_order})
    return union_form_page(form, org, "已保存")


def union_form_page(form: UnionForm, org, saved_message: str):
    """Check and save (a new union when `org` is None); a refused field re-renders the form beside it."""
    if form.validate_on_submit():
        try:
            fields = unions.union_fields(form.name.data, form.kind.data, form.sort_order.data)
            if org is None:
                unions.create_union(current_user, fields)
            else:
                unions.update_union(current_user, org, fields)
        except AppError as error:
            attach_errors(form, error)
        else:
            flash(saved_message)
            return redirect(url_for("staff.union_list"))
    return render_form("staff/union_form.html", form, org=org)


@bp.post("/unions/<int:org_id>/retire")
@login_required
def union_retire(org_id: int):
    return union_changed(unions.retire, org_id, "已撤销「{}」：历史数据保留，新建沟通会和账号时不再可选")


@bp.post("/unions/<int:org_id>/restore")
@login_required
def union_restore(org_id: int):
    return union_changed(unions.restore, org_id, "已恢复「{}」")


@bp.post("/unions/<int:org_id>/delete")
@login_required
def union_delete(org_id: int):
    return union_changed(unions.delete_unused, org_id, "已删除「{}」")


def union_changed(change, org_id: int, done: str):
    org = unions.get_union(current_user, org_id)
    name = org.name
    change(current_user, org)
    flash(done.format(name))
    return redirect(url_for("staff.union_list"))


@bp.route("/unions/import", methods=["GET", "POST"])
@accepts_sheet
@login_required
def union_import():
    if request.method == "GET":
        return render_template("staff/union_import.html", sheet=None)
    content = uploaded_sheet()
    if confirmed():
        sheet = union_sheet.import_sheet(current_user, content)
        if sheet.written:
            flash(f"导入完成：新增 {sheet.created} 个工会，更新 {sheet.updated} 个")
            return redirect(url_for("staff.union_list"))
    else:
        sheet = union_sheet.preview_sheet(current_user, content)
    page = render_template("staff/union_import.html", sheet=sheet, carried=sheets.carried(content))
    return page, 422 if sheet.errors else 200


@bp.get("/unions/template.xlsx")
@login_required
def union_template():
    return xlsx_download(union_sheet.template_sheet(), "工会导入模板.xlsx")


@bp.get("/unions/example.xlsx")
@login_required
def union_example():
    return xlsx_download(union_sheet.example_sheet(), "工会导入示例（顺义区）.xlsx")


def xlsx_download(content: bytes, filename: str):
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=filename)
