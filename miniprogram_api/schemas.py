"""Request and response schemas of /mp/v1; the OpenAPI document is generated from these.

Requests are checked for shape here (types, lengths, choices, with Chinese messages); the rules about a
person (身份证号, mobile, credit code, consent) live in app/services. Responses never carry full PII.
"""

from datetime import UTC

from flask import current_app
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, missing, validate

from app.models import ApplicationStatus, CardDelivery, CardStatus, MeetingStatus
from app.services import privacy
from app.services.intake import cards, moves
from app.services.intake.form_options import CHOICES
from app.services.intake.workers import kind_of


def messages(label: str) -> dict:
    return {"required": f"请填写{label}", "null": f"请填写{label}", "invalid": f"{label}格式不正确"}


def text(label: str, max_length: int, required: bool = False, nullable: bool = True) -> fields.String:
    # A required form key may still be null: the service then names every empty or wrong field in one answer.
    return fields.String(
        required=required,
        allow_none=nullable,
        validate=validate.Length(max=max_length, error=f"{label}不能超过{max_length}个字符"),
        error_messages=messages(label),
        metadata={"description": label},
    )


def token_text(label: str, max_length: int, required: bool = True, **options) -> fields.String:
    """A WeChat code or a client key: visible ASCII only, as WeChat and every HTTP stack expect."""
    return fields.String(
        required=required,
        validate=[
            validate.Length(min=1, max=max_length, error=f"{label}应为1到{max_length}个字符"),
            validate.Regexp(r"^[\x21-\x7e]+$", error=f"{label}格式不正确"),
        ],
        error_messages=messages(label),
        metadata={"description": options.pop("description", label)},
        **options,
    )


def choice(name: str, label: str) -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.OneOf(CHOICES[name], error=f"请从列表中选择{label}"),
        error_messages=messages(label),
        metadata={"description": label},
    )


class Consent(fields.Boolean):
    """Consent is the JSON boolean only: "true", "yes" or 1 is what a script sends, not what a person ticked."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class RequestSchema(Schema):
    class Meta:
        # An older or newer mini-program may send fields we do not know; ignore them rather than fail.
        unknown = EXCLUDE


class LoginSchema(RequestSchema):
    # wx.login() codes are 32 characters; dev:<name> becomes a 64-character openid at most.
    code = token_text("登录凭证", 60)


class PhoneCodeSchema(RequestSchema):
    code = token_text("手机号授权凭证", 128)


class IdempotencyHeaderSchema(RequestSchema):
    idempotency_key = token_text(
        "Idempotency-Key", 80, required=False, data_key="Idempotency-Key",
        description="客户端生成的唯一键；重试时带同一个键，得到第一次的应答",
    )


class MembershipApplicationFields(RequestSchema):
    """The form of 《工会会员登记表》; PATCH sends any subset of it."""

    name = text("姓名", 40, required=True)
    id_number = text("身份证号", 24, required=True)
    mobile = text("手机号", 20)
    employer = text("工作单位", 100, required=True)
    employer_credit_code = text("统一社会信用代码", 24)
    industry = choice("industry", "所属行业")
    hukou_type = choice("hukou_type", "户籍类型")
    new_form_job = choice("new_form_job", "新就业形态")
    education = choice("education", "学历")
    political_status = choice("political_status", "政治面貌")
    employment_status = choice("employment_status", "就业状态")
    skill_level = choice("skill_level", "技能等级")
    residence = text("现居住地", 200)
    is_migrant_worker = fields.Boolean(allow_none=True, error_messages=messages("是否外地来京务工"))
    id_valid_until = text("身份证有效期限（日期或 long_term）", 10)
    consent = Consent(required=True, allow_none=True, error_messages=messages("入会承诺与个人信息使用同意"))
    consent_version = text("同意书版本", 20, required=True, nullable=False)


class MembershipApplicationRequest(MembershipApplicationFields):
    entry_code = text("二维码", 32, required=True, nullable=False)


class RecoveryRequest(RequestSchema):
    # No mobile: a typed one proves nothing; without a code the proof is the caller's verified WeChat phone.
    id_number = text("身份证号", 24, required=True, nullable=False)
    recovery_code = text("现场工作人员给的找回码", 12)


class CardApplicationRequest(RequestSchema):
    entry_code = text("二维码", 32, required=True, nullable=False)
    delivery = fields.String(
        required=True,
        validate=validate.OneOf([d.value for d in CardDelivery], error="请选择领卡方式"),
        error_messages=messages("领卡方式"),
        metadata={"description": "onsite 现场办理 | branch 到银行网点领取"},
    )
    branch = text("银行网点", 100)
    consent = Consent(required=True, allow_none=True, error_messages=messages("办卡须知同意"))


class IdCardPhotoRequest(RequestSchema):
    image = Upload(required=True, error_messages=messages("身份证人像面照片"),
                   metadata={"description": "JPG 或 PNG，不超过 2 MB（按文件内容判断格式）"})


class UtcDateTime(fields.DateTime):
    """RFC 3339 with its offset: SQLite hands timestamps back naive, though we store them in UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Derived:
    """A response field computed from the whole object (a setting, a rule) rather than read from an attribute."""

    def __init__(self, *args, compute, **kwargs):
        super().__init__(*args, **kwargs)
        self.compute = compute

    def get_value(self, obj, attr, accessor=None, default=missing):
        return self.compute(obj)


class DerivedNested(Derived, fields.Nested):
    pass


class DerivedInteger(Derived, fields.Integer):
    pass


class DerivedString(Derived, fields.String):
    pass


class DerivedUtcDateTime(Derived, UtcDateTime):
    pass


class ResponseSchema(Schema):
    """Every key of an answer is always present (null when empty), and the OpenAPI document says so."""

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = True


class WorkerSchema(ResponseSchema):
    id = fields.Integer()
    kind = fields.Function(kind_of, metadata={"description": "wechat | h5 | dev"})
    phone = fields.Function(lambda worker: privacy.mask_mobile(privacy.decrypt(worker.phone_enc)) or None,
                            allow_none=True)


class TokenSchema(ResponseSchema):
    token = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds"})
    worker = fields.Nested(WorkerSchema)


class OrgNameSchema(ResponseSchema):
    name = fields.String(metadata={"description": "如「仁和镇总工会」"})


class CardEligibilitySchema(ResponseSchema):
    available = fields.Boolean()
    code = fields.String(
        allow_none=True,
        metadata={"description": "null | membership_required | card_not_eligible | card_already_applied"},
    )
    message = fields.String(allow_none=True, metadata={"description": "为什么不能办理（中文），可以办理时为 null"})


def review_days(_application) -> int:
    return current_app.config["REVIEW_WORKING_DAYS"]


class MembershipApplicationSchema(ResponseSchema):
    """One application as its owner sees it: name, ID number and mobile masked."""

    id = fields.Integer()
    status = fields.Enum(ApplicationStatus, by_value=True)
    status_label = fields.String()
    name = fields.Function(lambda a: privacy.mask_name(privacy.decrypt(a.name_enc)))
    id_number = fields.Function(lambda a: privacy.mask_id_number(privacy.decrypt(a.id_number_enc)))
    mobile = fields.Function(lambda a: privacy.mask_mobile(privacy.decrypt(a.mobile_enc)))
    gender = fields.String(allow_none=True)
    employer = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    new_form_job = fields.String(allow_none=True)
    meeting_title = fields.String()
    venue_name = fields.String()
    host_org_name = fields.String()
    employer_credit_code = fields.String(allow_none=True)
    hukou_type = fields.String(allow_none=True)
    education = fields.String(allow_none=True)
    political_status = fields.String(allow_none=True)
    employment_status = fields.String(allow_none=True)
    skill_level = fields.String(allow_none=True)
    residence = fields.String(allow_none=True)
    is_migrant_worker = fields.Boolean(allow_none=True)
    id_valid_until = fields.String(attribute="id_valid_until_answer", allow_none=True,
                                   metadata={"description": "YYYY-MM-DD | long_term | null"})
    submitted_at = UtcDateTime()
    # A void's reason is the staff's note, which may name people: it stays in the audit log (booth_help.VOID_NOTE).
    decision_reason = DerivedString(compute=lambda a: None if a.voided_at else a.decision_reason, allow_none=True)
    status_text = fields.String(metadata={"description": "职工看到的状态说明"})
    voided = fields.Function(lambda a: a.voided_at is not None,
                             metadata={"description": "工会核对身份证后作废（冒用身份证号）；status 为 withdrawn"})
    moved_here_at = DerivedUtcDateTime(compute=moves.last_moved_at, allow_none=True,
                                       metadata={"description": "最近一次从其他手机找回到这里的时间，没有为 null"})
    member_no = fields.String(allow_none=True, metadata={"description": "会员编号，通过后才有"})
    return_reason = fields.String(allow_none=True, metadata={"description": "退回原因，仅在退回待修改时"})
    returned_fields = fields.List(fields.String(), attribute="flagged_fields",
                                  metadata={"description": "审核人标出需要修改的字段（请求字段名）"})
    reviewing_org = fields.Nested(OrgNameSchema, metadata={"description": "审核的工会"})
    review_days = DerivedInteger(compute=review_days, metadata={"description": "一般在几个工作日内审核完"})
    card_eligibility = DerivedNested(CardEligibilitySchema, compute=lambda application: cards.eligibility(application))


class CardApplicationSchema(ResponseSchema):
    id = fields.Integer()
    membership_application_id = fields.Integer()
    status = fields.Enum(CardStatus, by_value=True)
    status_label = fields.String()
    status_text = fields.String(metadata={"description": "职工看到的状态说明"})
    delivery = fields.Enum(CardDelivery, by_value=True)
    branch = fields.String(allow_none=True)
    created_at = UtcDateTime()


class MeetingSchema(ResponseSchema):
    id = fields.Integer()
    title = fields.String()
    held_on = fields.Date()
    status = fields.Enum(MeetingStatus, by_value=True)


class VenueSchema(ResponseSchema):
    id = fields.Integer()
    role = fields.Function(lambda venue: venue.role.value)
    role_label = fields.String()
    place_name = fields.String()
    address = fields.String()
    host_org_name = fields.String(attribute="host_org.name")


class BoothSchema(ResponseSchema):
    id = fields.Integer()
    kind = fields.Function(lambda booth: booth.kind.value)
    kind_label = fields.String()
    name = fields.String()


class FormOptionsSchema(ResponseSchema):
    industry = fields.List(fields.String())
    hukou_type = fields.List(fields.String())
    new_form_job = fields.List(fields.String())
    education = fields.List(fields.String())
    political_status = fields.List(fields.String())
    employment_status = fields.List(fields.String())
    skill_level = fields.List(fields.String())
    card_delivery = fields.List(fields.Dict(keys=fields.String(), values=fields.String()))
    card_branches = fields.List(fields.String())
    consent_version = fields.String()
    consent_text = fields.String()


class EntrySchema(ResponseSchema):
    entry_code = fields.String(attribute="entry_code.code")
    meeting = fields.Nested(MeetingSchema, attribute="entry_code.meeting")
    venue = fields.Nested(VenueSchema, attribute="entry_code.venue")
    booth = fields.Nested(BoothSchema, attribute="entry_code.booth", allow_none=True)
    actions = fields.List(fields.String(), metadata={"description": "join 可入会 | card 可申请互助服务卡"})
    form_options = fields.Nested(FormOptionsSchema)
    membership = fields.Nested(MembershipApplicationSchema, allow_none=True)
    card = fields.Nested(CardApplicationSchema, allow_none=True)
    card_eligibility = fields.Nested(CardEligibilitySchema)


class MovedApplicationSchema(ResponseSchema):
    """A former application of mine, recovered onto another phone: what it was, masked, and when it left."""

    id = fields.Integer(attribute="application_id")
    status = fields.String(metadata={"description": "moved_away"})
    status_text = fields.String(metadata={"description": "已转到其他手机"})
    moved_at = UtcDateTime()
    name = fields.Function(lambda move: privacy.mask_name(privacy.decrypt(move.application.name_enc)))
    id_number = fields.Function(lambda move: privacy.mask_id_number(privacy.decrypt(move.application.id_number_enc)))
    meeting_title = fields.String(attribute="application.meeting_title")
    reviewing_org = fields.Nested(OrgNameSchema, attribute="application.reviewing_org")


class MeSchema(ResponseSchema):
    worker = fields.Nested(WorkerSchema)
    membership_applications = fields.List(fields.Nested(MembershipApplicationSchema))
    card_applications = fields.List(fields.Nested(CardApplicationSchema))
    card_eligibility = fields.Nested(CardEligibilitySchema)
    moved_applications = fields.List(
        fields.Nested(MovedApplicationSchema),
        metadata={"description": "找回到其他手机的申请（只读，不再显示其后的进度）"},
    )


class NoticeSectionSchema(ResponseSchema):
    heading = fields.String()
    body = fields.String()


class CardInfoSchema(ResponseSchema):
    title = fields.String()
    sections = fields.List(fields.Nested(NoticeSectionSchema))


class PrivacyNoticeSchema(CardInfoSchema):
    version = fields.String(metadata={"description": "同意书（入会承诺与个人信息保护说明）的版本"})
    contact = fields.String()


class IdCardReadingSchema(ResponseSchema):
    """What the photo says, for the worker to confirm in the form; unmasked because it is their own card."""

    name = fields.String()
    id_number = fields.String()


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable snake_case code"})
    message = fields.String(required=True, metadata={"description": "中文说明"})
    # Always an object, keyed by the request's field names; empty when no field is at fault.
    field_errors = fields.Dict(
        required=True, keys=fields.String(), values=fields.String(), data_key="fields",
        metadata={"description": "字段名 → 中文说明"},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
