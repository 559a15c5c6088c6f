"""Staff web forms, with Chinese messages naming the field."""

import datetime

from flask import render_template
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.models.meeting import BOOTH_KIND_LABELS, MEETING_KIND_LABELS, VENUE_ROLE_LABELS


def required(label: str):
    return DataRequired(message=f"请填写{label}")


def at_most(label: str, length: int):
    return Length(max=length, message=f"{label}不能超过 {length} 个字")


def render_form(template: str, form: FlaskForm, **context):
    """Render a form page; 422 when it is shown again with field errors, so clients see the refusal."""
    return render_template(template, form=form, **context), 422 if form.errors else 200


def labelled_choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def with_org_choices(form, field_name: str, orgs) -> None:
    getattr(form, field_name).choices = [SelectChoice(org.id, org.name) for org in orgs]


class ChineseDateField(DateField):
    """A date field whose parse error is in Chinese (WTForms' own message is English)."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.date.fromisoformat(valuelist[0].strip())
        except ValueError as exc:
            self.data = None
            raise ValueError(f"{self.label.text}格式不正确，请按 年-月-日 填写") from exc


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[required("用户名"), at_most("用户名", 40)])
    password = PasswordField("密码", validators=[required("密码"), at_most("密码", 128)])


class MeetingForm(FlaskForm):
    title = StringField("名称", validators=[required("沟通会名称"), at_most("沟通会名称", 120)])
    held_on = ChineseDateField("日期", validators=[InputRequired(message="请填写日期（年-月-日）")])
    kind = SelectField("类型", choices=labelled_choices(MEETING_KIND_LABELS))
    organiser_org_id = SelectField("主办工会", coerce=int)


class VenueForm(FlaskForm):
    name = StringField("会场名称（选填，默认同场所名称）", validators=[at_most("会场名称", 60)])
    role = SelectField("会场类型", choices=labelled_choices(VENUE_ROLE_LABELS))
    host_org_id = SelectField("承办镇街工会", coerce=int)
    place_name = StringField("企业/场所名称", validators=[required("企业或场所名称"), at_most("企业或场所名称", 120)])
    address = StringField("地址", validators=[at_most("地址", 200)])


class BoothForm(FlaskForm):
    kind = SelectField("岗位类型", choices=labelled_choices(BOOTH_KIND_LABELS))
    name = StringField("岗位名称", validators=[required("岗位名称"), at_most("岗位名称", 60)])


class AccountEditForm(FlaskForm):
    """An account's profile; the view fills the role and union choices with what the signed-in admin may give."""

    display_name = StringField("姓名", validators=[required("姓名"), at_most("姓名", 40)])
    role = SelectField("角色")
    org_id = SelectField("所属工会", coerce=int)
    mobile = StringField("手机号（选填）", validators=[at_most("手机号", 20)])


class AccountForm(AccountEditForm):
    username = StringField("用户名（字母、数字或手机号）", validators=[required("用户名"), at_most("用户名", 40)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "当前密码（首次登录请填一次性密码）", render_kw={"autocomplete": "current-password"},
        validators=[required("当前密码"), at_most("当前密码", 128)],
    )
    new_password = PasswordField("新密码（至少 8 位）", render_kw={"autocomplete": "new-password"},
                                 validators=[required("新密码"), at_most("新密码", 128)])
    confirm_password = PasswordField("再次输入新密码", render_kw={"autocomplete": "new-password"},
                                     validators=[required("新密码"), at_most("新密码", 128)])
