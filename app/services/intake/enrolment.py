"""A worker joins the union: the membership application, its idempotency, resubmission and withdrawal.

"One live application per person" is the partial unique index on id_blind_index; this module does not
read first: it inserts, and turns the database's refusal (a double tap, a racing twin, another phone with
the same ID number) into 200 for the same worker or 409 for anyone else.
"""

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from app.errors import AppError
from app.extensions import db
from app.models import ApplicationStatus, EntryCode, Meeting, MeetingStatus, MembershipApplication, Worker
from app.models.application import LIVE_STATUSES
from app.models.base import utcnow
from app.services import privacy
from app.services.intake import identity, moves
from app.services.intake.identity import IdentityError
from app.services.live import intake_counters
from app.services.setup import entry_codes

FORM_INVALID = "填写的内容有误，请按提示修改"
# Columns copied from the form after NFKC and trimming; empty means "not given".
PLAIN_FIELDS = (
    "employer", "industry", "hukou_type", "new_form_job", "education", "political_status",
    "employment_status", "skill_level", "residence",
)
LONG_TERM = ("long_term", "长期")
MISSING = {"name": "请填写姓名", "employer": "请填写工作单位", "consent_version": "缺少同意书版本，请刷新页面后重试"}


@dataclass
class Submission:
    application: MembershipApplication
    status: int  # 201 for a new application, 200 for the existing one (or the replayed first answer)


def submit_application(worker_id: int, form: dict, idempotency_key: str | None = None) -> Submission:
    """Create the worker's membership application at the scanned entry code (201), or answer as before."""
    try:
        return create_application(worker_id, form, idempotency_key)
    except AppError:
        # A retry of a request that once succeeded gets that first answer, even when its code was revoked,
        # its meeting closed or its form would fail today. Looked up only now: a new join costs no read.
        replayed = replay(worker_id, idempotency_key)
        if replayed:
            return replayed
        raise


def create_application(worker_id: int, form: dict, idempotency_key: str | None) -> Submission:
    """A new application (201), or what the unique indexes refused it for: a replay, 200 or 409."""
    slot = entry_codes.resolve_slot(form["entry_code"])
    columns = applicant_columns(form, worker_id, identity.today_in_beijing())
    now = utcnow()
    values = {
        **columns, "worker_id": worker_id, "meeting_id": slot.meeting_id, "venue_id": slot.venue_id,
        "booth_id": slot.booth_id, "entry_code_id": slot.entry_code_id, "host_org_id": slot.host_org_id,
        "status": ApplicationStatus.SUBMITTED, "submitted_at": now, "created_at": now,
        "idempotency_key": idempotency_key,
    }
    try:
        application_id = insert_alone(values)
    except IntegrityError:
        # The ID number already has a live application (a double tap, a racing twin, another phone), or the
        # key was used before: nothing is read beforehand, the unique indexes decide and we answer as they did.
        db.session.rollback()
        return replay(worker_id, idempotency_key) or answer_refused(columns["id_blind_index"], worker_id)
    if application_id is None:
        raise refusal_of_closed(form["entry_code"])
    # The answer and the counter event are built from what was written: nothing is read back.
    application = MembershipApplication(id=application_id, **values)
    application.known_place = slot
    intake_counters.application_submitted(application)
    return Submission(application, 201)


@functools.cache
def insert_at_open_code(columns: tuple[str, ...]):
    """INSERT … SELECT that writes the row only while its entry code is unrevoked and its meeting open.

    The database checks it in the same statement as the write, so a code resolved a moment earlier (or
    from a stale cache) cannot slip a join into a closed meeting or through a revoked code. Built once per
    process with a parameter per column: building and cache-keying it per join cost ≈ 10 % of a join's CPU.
    """
    table = MembershipApplication.__table__
    parameters = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    at_open_code = select(*parameters.values()).select_from(EntryCode).join(
        Meeting, Meeting.id == EntryCode.meeting_id
    ).where(
        EntryCode.id == parameters["entry_code_id"], EntryCode.revoked_at.is_(None),
        Meeting.status == MeetingStatus.OPEN,
    )
    return insert(table).from_select(list(columns), at_open_code).returning(table.c.id)


def insert_alone(values: dict) -> int | None:
    """Insert the application in autocommit: one round trip, no BEGIN and COMMIT around the statement."""
    statement = insert_at_open_code(tuple(values))
    if db.session().in_transaction():
        # This request already read (the worker's verified phone): write in that transaction, since a second
        # connection would wait on its lock in SQLite.
        application_id = db.session.scalar(statement, values)
        db.session.commit()
        return application_id
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.scalar(statement, values)


def refusal_of_closed(code: str) -> AppError:
    """The code was revoked or its meeting closed after it was resolved: answer as the database now says."""
    try:
        entry_codes.resolve(code)
    except AppError as refusal:
        return refusal
    return AppError("meeting_closed", "本场沟通会已结束", 410)  # reopened in between: the worker may try again


def resubmit_application(
    worker: Worker, application_id: int, changes: dict, idempotency_key: str | None = None
) -> MembershipApplication:
    """Correct a returned application and submit it again for review; a retry of that correction is answered again."""
    application = own_application(worker, application_id)
    if application.status is not ApplicationStatus.RETURNED:
        if is_retried_correction(application, changes, idempotency_key):
            return application
        raise AppError("not_returned", "只有被退回的申请才能修改后重新提交", 409)
    moves.hold_after_move(application)
    application.correction_key = idempotency_key
    form = {**current_form(application), **changes}
    for name, value in applicant_columns(form, worker.id, identity.today_in_beijing()).items():
        setattr(application, name, value)
    application.status = ApplicationStatus.SUBMITTED
    # The return is answered: its reason and flagged fields no longer apply.
    application.decision_reason = None
    application.returned_fields = None
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise conflict_with(live_application(privacy.blind_index(normalised_id(form)))) from exc
    return application


def is_retried_correction(application: MembershipApplication, changes: dict, idempotency_key: str | None) -> bool:
    """A correction that already landed, sent again because its answer was lost on a weak signal.

    Known by its key; without one (an older client), by an application under review that already holds every
    change. An empty correction proves nothing without its key.
    """
    if idempotency_key and idempotency_key == application.correction_key:
        return True
    if application.status is not ApplicationStatus.SUBMITTED or not changes:
        return False
    stored = current_form(application)
    return all(comparable(name, value) == comparable(name, stored.get(name)) for name, value in changes.items())


# Normalised as a join stores them, so a retried correction compares equal however it was typed.
COMPARED_AS = {
    "id_number": identity.normalise_id_number, "mobile": identity.normalise_mobile,
    "employer_credit_code": identity.normalise_credit_code,
}


def comparable(name: str, value):
    if not isinstance(value, str):
        return value
    text = COMPARED_AS.get(name, identity.normalise_text)(value)
    if name == "id_valid_until" and text.lower() in LONG_TERM:
        return "long_term"
    return text or None


def withdraw_application(worker: Worker, application_id: int) -> MembershipApplication:
    """Withdraw a submitted application that nobody has reviewed yet."""
    application = own_application(worker, application_id)
    if application.status is not ApplicationStatus.SUBMITTED:
        raise AppError("not_withdrawable", "只有待审核的申请可以撤回", 409)
    moves.hold_after_move(application)
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = utcnow()
    db.session.commit()
    intake_counters.application_withdrawn(application)
    return application


def own_application(worker: Worker, application_id: int) -> MembershipApplication:
    """The worker's own application; someone else's is as unknown as a missing one (404)."""
    application = db.session.get(MembershipApplication, application_id)
    if application is None or application.worker_id != worker.id:
        raise AppError("application_not_found", "找不到该入会申请", 404)
    return application


def applications_of(worker: Worker) -> list[MembershipApplication]:
    query = select(MembershipApplication).where(MembershipApplication.worker_id == worker.id)
    return list(db.session.scalars(query.order_by(MembershipApplication.id.desc())))


def live_application_of(worker: Worker) -> MembershipApplication | None:
    """The worker's latest submitted, returned or approved application."""
    return live_among(applications_of(worker))


def live_among(applications: list[MembershipApplication]) -> MembershipApplication | None:
    return next((application for application in applications if application.is_live), None)


def live_application(blind_index: str) -> MembershipApplication | None:
    query = select(MembershipApplication).where(
        MembershipApplication.id_blind_index == blind_index,
        MembershipApplication.status.in_([ApplicationStatus(s) for s in LIVE_STATUSES]),
    )
    return db.session.scalar(query)


def same_worker_or_conflict(existing: MembershipApplication, worker_id: int) -> MembershipApplication:
    if existing.worker_id == worker_id:
        return existing
    raise conflict_with(existing)


def conflict_with(existing: MembershipApplication | None) -> AppError:
    # Says nothing about the other application: not who, not where, not when.
    if existing is not None and existing.status is ApplicationStatus.APPROVED:
        return AppError("already_member", "该身份证号已是工会会员，无需重复申请", 409)
    return AppError("already_applied", "该身份证号已有一份正在办理的入会申请", 409)


def answer_refused(blind_index: str, worker_id: int) -> Submission:
    existing = live_application(blind_index)
    if existing is None:
        raise conflict_with(None)
    return Submission(same_worker_or_conflict(existing, worker_id), 200)


def replay(worker_id: int, idempotency_key: str | None) -> Submission | None:
    """The first answer to this worker's Idempotency-Key, if there was one: 201 with the application it made."""
    if not idempotency_key:
        return None
    query = select(MembershipApplication).where(
        MembershipApplication.worker_id == worker_id, MembershipApplication.idempotency_key == idempotency_key
    )
    application = db.session.scalar(query)
    return Submission(application, 201) if application else None


def applicant_columns(form: dict, worker_id: int, today: date) -> dict:
    """The model columns of a valid form (PII encrypted, blind index set), or 422 naming every bad field."""
    texts = {name: identity.normalise_text(form.get(name)) for name in (*PLAIN_FIELDS, *MISSING)}
    errors = {name: message for name, message in MISSING.items() if not texts[name]}
    columns = {name: texts[name] or None for name in PLAIN_FIELDS}
    columns["is_migrant_worker"] = form.get("is_migrant_worker")
    id_number = checked(errors, "id_number", lambda: identity.parse_id_number(normalised_id(form), today))
    mobile = checked(errors, "mobile", lambda: applicant_mobile(form, worker_id))
    columns["employer_credit_code"] = checked(errors, "employer_credit_code", lambda: credit_code(form))
    validity = checked(errors, "id_valid_until", lambda: id_validity(form.get("id_valid_until"), today))
    if form.get("consent") is not True:
        errors["consent"] = "请阅读并同意入会承诺和个人信息保护说明"
    if errors:
        raise AppError("validation_error", FORM_INVALID, 422, errors)
    columns["id_valid_until"], columns["id_valid_long_term"] = validity
    return {
        **columns,
        "name_enc": privacy.encrypt(texts["name"]),
        "id_number_enc": privacy.encrypt(id_number.value),
        "mobile_enc": privacy.encrypt(mobile),
        "id_blind_index": privacy.blind_index(id_number.value),
        "gender": id_number.gender,
        "birth_date": id_number.birth_date,
        "consent": True,
        "consent_version": texts["consent_version"],
    }


def checked(errors: dict, field: str, check):
    try:
        return check()
    except IdentityError as exc:
        errors[field] = str(exc)
        return None


def normalised_id(form: dict) -> str:
    return identity.normalise_id_number(form.get("id_number"))


def applicant_mobile(form: dict, worker_id: int) -> str:
    mobile = identity.normalise_mobile(form.get("mobile"))
    if mobile:
        return identity.check_mobile(mobile)
    # The only part of a join that needs the worker's row: the phone WeChat verified for them.
    verified = privacy.decrypt(db.session.get(Worker, worker_id).phone_enc)
    if verified:
        return verified
    raise identity.refused("mobile_required")


def credit_code(form: dict) -> str | None:
    code = identity.normalise_credit_code(form.get("employer_credit_code"))
    return identity.check_credit_code(code) if code else None


def id_validity(value: str | None, today: date) -> tuple[date | None, bool]:
    text = identity.normalise_text(value)
    if not text:
        return None, False
    if text.lower() in LONG_TERM:
        return None, True
    try:
        valid_until = date.fromisoformat(text)
    except ValueError as exc:
        raise IdentityError("身份证有效期限应为日期（如2036-05-01）或“长期”") from exc
    if valid_until < today:
        raise IdentityError("身份证已过有效期，请使用有效证件")
    return valid_until, False


def current_form(application: MembershipApplication) -> dict:
    """The application as a form again (PII decrypted) so a correction may change only some fields."""
    return {
        **{name: getattr(application, name) for name in PLAIN_FIELDS},
        "is_migrant_worker": application.is_migrant_worker,
        "name": privacy.decrypt(application.name_enc),
        "id_number": privacy.decrypt(application.id_number_enc),
        "mobile": privacy.decrypt(application.mobile_enc),
        "employer_credit_code": application.employer_credit_code,
        "id_valid_until": "long_term" if application.id_valid_long_term else (
            application.id_valid_until.isoformat() if application.id_valid_until else None
        ),
        "consent": application.consent,
        "consent_version": application.consent_version,
    }

