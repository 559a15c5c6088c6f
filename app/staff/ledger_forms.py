"""Forms of the ledger pages (firm and contact), with Chinese messages naming the field."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.errors import AppError
from app.services.ledger.enterprises import CONTACT_KINDS, ContactFields, EnterpriseFields
from app.staff.forms import ChineseDateField, at_most, labelled_choices, required


def head_count(label: str) -> IntegerField:
    return IntegerField(
        label,
        default=0,
        validators=[InputRequired(message=f"请填写{label}"), NumberRange(min=0, message=f"{label}不能为负数")],
    )


class EnterpriseForm(FlaskForm):
    name = StringField("企业名称", validators=[required("企业名称"), at_most("企业名称", 120)])
    credit_code = StringField("统一社会信用代码", validators=[Optional(), at_most("统一社会信用代码", 18)])
    town_org_id = SelectField("所属镇街", coerce=int)
    industry = StringField("行业", validators=[at_most("行业", 40)])
    employees = head_count("职工人数")
    members = head_count("会员人数")
    has_union = BooleanField("已建会")
    union_founded_on = ChineseDateField("建会日期", validators=[Optional()])
    new_form_workers = head_count("新就业形态劳动者人数")
    new_form_members = head_count("新就业形态会员人数")

    def fields(self) -> EnterpriseFields:
        return EnterpriseFields(
            name=self.name.data.strip(),
            credit_code=(self.credit_code.data or "").strip().upper() or None,
            town_org_id=self.town_org_id.data,
            industry=(self.industry.data or "").strip() or None,
            employees=self.employees.data,
            members=self.members.data,
            has_union=self.has_union.data,
            union_founded_on=self.union_founded_on.data,
            new_form_workers=self.new_form_workers.data,
            new_form_members=self.new_form_members.data,
        )


class ContactForm(FlaskForm):
    contacted_on = ChineseDateField("日期", validators=[InputRequired(message="请填写日期（年-月-日）")])
    kind = SelectField("方式", choices=labelled_choices(CONTACT_KINDS))
    outcome = StringField("结果", validators=[at_most("结果", 60)])
    note = TextAreaField("备注", validators=[at_most("备注", 1000)])

    def fields(self) -> ContactFields:
        return ContactFields(
            contacted_on=self.contacted_on.data,
            kind=self.kind.data,
            outcome=(self.outcome.data or "").strip(),
            note=(self.note.data or "").strip(),
        )


def attach_errors(form: FlaskForm, error: AppError) -> None:
    """Show a service's field errors next to the form's fields (and re-raise what is not a field error)."""
    if not error.fields:
        raise error
    for name, message in error.fields.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]
