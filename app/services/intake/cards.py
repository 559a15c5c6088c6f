"""互助服务卡 (京卡): a member-to-be applies at the meeting; one card per person, within the age rule."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import AppError
from app.extensions import db
from app.models import CardDelivery, CardStatus, MembershipApplication, MutualAidCardApplication, Worker
from app.services.intake import enrolment, identity
from app.services.live import intake_counters
from app.services.setup import entry_codes

MEMBERSHIP_REQUIRED = "请先提交入会申请，再申请互助服务卡"
ALREADY_APPLIED = "您已申请过互助服务卡，无需重复申请"


@dataclass(frozen=True)
class CardEligibility:
    """Whether the card form should be offered, and if not, the code and words of the reason."""

    available: bool
    code: str | None = None
    message: str | None = None


AVAILABLE = CardEligibility(True)


def already_applied() -> AppError:
    # A fresh instance per raise: re-raising one shared exception object keeps growing its traceback.
    return AppError("card_already_applied", ALREADY_APPLIED, 409)


def eligibility(membership: MembershipApplication | None, card: MutualAidCardApplication | None = None):
    """What the worker may expect before filling in the card form: from the application alone, no query.

    A card held under the same ID number by another account is only found when applying (409).
    """
    if card is not None:
        return CardEligibility(False, "card_already_applied", ALREADY_APPLIED)
    if membership is None or not membership.is_live or membership.birth_date is None:
        return CardEligibility(False, "membership_required", MEMBERSHIP_REQUIRED)
    if not within_age_rule(membership):
        return CardEligibility(False, "card_not_eligible", age_rule_refusal())
    return AVAILABLE


def within_age_rule(membership: MembershipApplication) -> bool:
    """Beijing practice: women under 55, men under 60 (CARD_AGE_LIMIT_FEMALE / _MALE; 0 switches it off)."""
    setting = "CARD_AGE_LIMIT_FEMALE" if membership.gender == "女" else "CARD_AGE_LIMIT_MALE"
    limit = current_app.config[setting]
    return not limit or identity.age_on(membership.birth_date, identity.today_in_beijing()) < limit


def age_rule_words() -> str | None:
    """「男性未满60周岁、女性未满55周岁」 from the settings, or None when there is no age rule."""
    config = current_app.config
    parts = [f"{sex}未满{config[name]}周岁" for sex, name in (("男性", "CARD_AGE_LIMIT_MALE"),
                                                           ("女性", "CARD_AGE_LIMIT_FEMALE")) if config[name]]
    return "、".join(parts) or None


def age_rule_refusal() -> str:
    return f"互助服务卡（京卡）面向{age_rule_words()}的会员办理，按您身份证号中的出生日期，暂不符合办理条件"


def apply_for_card(worker: Worker, form: dict) -> MutualAidCardApplication:
    """File the worker's card application against their live membership application (201)."""
    entry_code = entry_codes.resolve(form["entry_code"])
    membership = enrolment.live_application_of(worker)
    if membership is None:
        raise AppError("membership_required", MEMBERSHIP_REQUIRED, 409)
    check_card_form(form)
    if not within_age_rule(membership):
        raise AppError("card_not_eligible", age_rule_refusal(), 409)
    if held_card(membership.id_blind_index):
        raise already_applied()
    delivery = CardDelivery(form["delivery"])
    card = MutualAidCardApplication(
        worker=worker,
        membership_application=membership,
        meeting_id=entry_code.meeting_id,
        venue_id=entry_code.venue_id,
        booth_id=entry_code.booth_id,
        host_org_id=entry_code.venue.host_org_id,
        id_blind_index=membership.id_blind_index,
        delivery=delivery,
        branch=identity.normalise_text(form.get("branch")) if delivery is CardDelivery.BRANCH else None,
        consent=True,
        status=CardStatus.PENDING,
    )
    db.session.add(card)
    try:
        db.session.commit()
    except IntegrityError as exc:
        # A double tap racing itself: the partial unique index let the first one through.
        db.session.rollback()
        raise already_applied() from exc
    intake_counters.card_applied(card)
    return card


def cards_of(worker: Worker) -> list[MutualAidCardApplication]:
    query = select(MutualAidCardApplication).where(MutualAidCardApplication.worker_id == worker.id)
    return list(db.session.scalars(query.order_by(MutualAidCardApplication.id.desc())))


def current_card_of(worker: Worker) -> MutualAidCardApplication | None:
    """The worker's own card application that is still going (or issued)."""
    return current_among(cards_of(worker))


def current_among(card_applications: list[MutualAidCardApplication]) -> MutualAidCardApplication | None:
    return next((card for card in card_applications if card.status is not CardStatus.REJECTED), None)


def held_card(blind_index: str) -> MutualAidCardApplication | None:
    query = select(MutualAidCardApplication).where(
        MutualAidCardApplication.id_blind_index == blind_index,
        MutualAidCardApplication.status != CardStatus.REJECTED,
    )
    return db.session.scalar(query)


def check_card_form(form: dict) -> None:
    errors = {}
    if form.get("delivery") == CardDelivery.BRANCH.value and not identity.normalise_text(form.get("branch")):
        errors["branch"] = "请选择领卡的银行网点"
    if form.get("consent") is not True:
        errors["consent"] = "请阅读并同意互助服务卡办理须知"
    if errors:
        raise AppError("validation_error", "填写的内容有误，请按提示修改", 422, errors)
