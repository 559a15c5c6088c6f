"""The review queue: town unions decide the membership applications routed to them (SPEC §9)."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.errors import AppError
from app.extensions import db
from app.models import (
    ApplicationStatus,
    MemberNumberSequence,
    MembershipApplication,
    MutualAidCardApplication,
    Org,
    User,
)
from app.models.base import utcnow
from app.services import access, audit, paging, privacy
from app.services.afterday import person_search
from app.services.afterday.person_search import PersonSearch
from app.services.intake import booth_help, worker_messages
from app.services.intake.form_options import FIELD_LABELS
from app.services.live import intake_counters
from app.services.local_time import now_in_shanghai
from app.services.paging import Order, Page, PageRequest

REASON_MAX = 200
DECIDABLE = {
    "approve": {ApplicationStatus.SUBMITTED},
    "return": {ApplicationStatus.SUBMITTED},
    "reject": {ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED},
    "transfer": {ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED},
}


def not_found() -> AppError:
    return AppError("application_not_found", "找不到该入会申请，或它不归本工会审核", 404)


@dataclass
class QueueFilters:
    meeting_id: int | None = None
    venue_id: int | None = None
    status: ApplicationStatus | None = ApplicationStatus.SUBMITTED
    new_form_job: str | None = None
    search: PersonSearch | None = None
    newest_first: bool = False  # the queue is worked oldest first; the other end is one click away


@dataclass
class BatchResult:
    approved: list[MembershipApplication]
    skipped: int


# Submission order is the queue's order: one index per scope (district, a town) with and without a status.
QUEUE_ORDER = (MembershipApplication.submitted_at, MembershipApplication.id)


def queue(user: User, filters: QueueFilters, wanted: PageRequest, ip: str | None = None) -> Page:
    """One page of the applications the user may review, narrowed by the filters, with their total."""
    access.require(access.can_review(user))
    query = visible_applications(user)
    for column, value in (
        (MembershipApplication.meeting_id, filters.meeting_id),
        (MembershipApplication.venue_id, filters.venue_id),
        (MembershipApplication.status, filters.status),
        (MembershipApplication.new_form_job, filters.new_form_job),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.search is not None:
        person_search.note_lookup(user, "review", filters.search, ip)
        query = query.where(person_search.matching(filters.search))
    return paging.page_of(
        query, Order(QUEUE_ORDER, descending=filters.newest_first), lambda a: (a.submitted_at, a.id), wanted,
        load=(joinedload(MembershipApplication.venue), joinedload(MembershipApplication.host_org)),
    )


def visible_applications(user: User):
    query = select(MembershipApplication)
    if not access.is_district_admin(user):
        query = query.where(MembershipApplication.host_org_id == user.org_id)
    return query


def get_for_review(user: User, application_id: int) -> MembershipApplication:
    """One application the user may review; another org's is reported as not found."""
    access.require(access.can_review(user))
    application = db.session.get(MembershipApplication, application_id)
    if application is None or not access.can_see_org(user, application.host_org_id):
        raise not_found()
    return application


def reveal_identity(
    user: User, application_id: int, ip: str | None = None
) -> tuple[MembershipApplication, privacy.Identity]:
    """The application with its full name, ID number and mobile, for one of its reviewers; audit-logged."""
    application = get_for_review(user, application_id)
    audit.record(user, "pii.reveal", "membership_application", application.id, {}, ip)
    db.session.commit()
    return application, privacy.identity_of(application, full=True)


def approve(user: User, application_id: int, ip: str | None = None) -> MembershipApplication:
    """Approve one submitted application and give it a member number."""
    result = approve_batch(user, [application_id], ip, skip_decided=False)
    return result.approved[0]


def approve_batch(
    user: User, application_ids: list[int], ip: str | None = None, skip_decided: bool = True
) -> BatchResult:
    """Approve many in one transaction; rows another reviewer decided meanwhile are skipped."""
    applications = lock_for_decision(user, application_ids)
    waiting = [a for a in applications if a.status in DECIDABLE["approve"]]
    if not skip_decided:
        for application in applications:
            ensure_decidable(application, "approve")
    numbers = reserve_member_numbers(waiting)
    for application in waiting:
        application.member_no = numbers[application.id]
        mark_decided(user, application, ApplicationStatus.APPROVED, None)
        audit.record(user, "application.approve", "membership_application", application.id,
                     {"member_no": application.member_no}, ip)
    db.session.commit()
    reload_after_commit([a.id for a in waiting])
    for application in waiting:
        intake_counters.application_approved(application)
        notify_worker(application)
    return BatchResult(waiting, len(applications) - len(waiting))


def reload_after_commit(application_ids: list[int]) -> None:
    """Refresh the committed (expired) rows and their workers in two queries rather than two per row."""
    query = (
        select(MembershipApplication)
        .where(MembershipApplication.id.in_(application_ids))
        .options(selectinload(MembershipApplication.worker))
    )
    db.session.scalars(query).all()


def return_for_correction(
    user: User, application_id: int, reason: str, ip: str | None = None, fields: list[str] | None = None
):
    """Send an application back to the worker with the reason they will see and the fields it concerns."""
    flagged = [name for name in FIELD_LABELS if name in (fields or [])]
    return decide_with_reason(user, application_id, "return", ApplicationStatus.RETURNED, reason, ip, flagged)


def reject(user: User, application_id: int, reason: str, ip: str | None = None):
    """Reject an application with the reason the worker will see."""
    return decide_with_reason(user, application_id, "reject", ApplicationStatus.REJECTED, reason, ip)


def void_misused(user: User, application_id: int, reason: str, ip: str | None = None) -> MembershipApplication:
    """Void an application filed with someone else's ID number, after the person showed their card in person."""
    booth_help.check_reason(reason)
    (application,) = lock_for_decision(user, [application_id])
    if not application.is_live:
        db.session.rollback()
        raise AppError("not_reviewable", f"该申请当前为「{application.status_label}」，不能作废", 409)
    booth_help.void_application(user, application, reason, ip, {"via": "review"})
    return application


def transfer(user: User, application_id: int, target_org_id: int, ip: str | None = None):
    """Route an undecided application to another town union (the worker's real employer is there)."""
    (application,) = lock_for_decision(user, [application_id])
    ensure_decidable(application, "transfer")
    target = db.session.get(Org, target_org_id)
    if target is None or target.parent_id is None or target.id == application.host_org_id:
        raise AppError("invalid_transfer_target", "请选择另一个镇街工会", 422, {"org_id": "请选择另一个镇街工会"})
    detail = {"from_org_id": application.host_org_id, "to_org_id": target.id}
    application.host_org_id = target.id
    # The card desk of the new town handles the person's 互助服务卡 too: it follows its application.
    db.session.execute(update(MutualAidCardApplication)
                       .where(MutualAidCardApplication.membership_application_id == application.id)
                       .values(host_org_id=target.id))
    audit.record(user, "application.transfer", "membership_application", application.id, detail, ip)
    db.session.commit()
    # Per-org counters are keyed by host org: recount this meeting rather than patch two orgs by hand.
    intake_counters.rebuild(application.meeting_id)
    return application


def decide_with_reason(user, application_id, decision, status, reason, ip, flagged=None) -> MembershipApplication:
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        message = f"请填写原因（不超过 {REASON_MAX} 个字），职工会看到它"
        raise AppError("reason_required", message, 422, {"reason": message})
    (application,) = lock_for_decision(user, [application_id])
    ensure_decidable(application, decision)
    mark_decided(user, application, status, reason)
    application.returned_fields = flagged or None
    audit.record(user, f"application.{decision}", "membership_application", application.id,
                 {"reason": reason, **({"fields": flagged} if flagged else {})}, ip)
    db.session.commit()
    notify_worker(application)
    return application


def lock_for_decision(user: User, application_ids: list[int]) -> list[MembershipApplication]:
    """Row-lock the applications (id order, so two batches cannot deadlock) and check the scope."""
    access.require(access.can_review(user))
    ids = sorted(set(application_ids))
    if not ids:
        raise AppError("nothing_selected", "请先选择要审核的申请", 422)
    query = (
        select(MembershipApplication)
        .where(MembershipApplication.id.in_(ids))
        .order_by(MembershipApplication.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    applications = list(db.session.scalars(query))
    if len(applications) != len(ids) or not all(access.can_see_org(user, a.host_org_id) for a in applications):
        db.session.rollback()
        raise not_found()
    return applications


def ensure_decidable(application: MembershipApplication, decision: str) -> None:
    if application.status not in DECIDABLE[decision]:
        db.session.rollback()
        raise AppError("not_reviewable", f"该申请当前为「{application.status_label}」，不能再这样处理", 409)


def mark_decided(user, application, status: ApplicationStatus, reason: str | None) -> None:
    application.status = status
    application.decision_reason = reason
    application.decided_by_id = user.id
    application.decided_at = utcnow()


def reserve_member_numbers(applications: list[MembershipApplication]) -> dict[int, str]:
    """Readable member numbers "<org>-<year>-<seq>", unique even when two reviewers approve at once."""
    year = now_in_shanghai().year
    numbers = {}
    for org_id in sorted({a.host_org_id for a in applications}):
        batch = [a for a in applications if a.host_org_id == org_id]
        last = bump_sequence(org_id, year, len(batch))
        for seq, application in enumerate(batch, start=last - len(batch) + 1):
            numbers[application.id] = f"{org_id:03d}-{year}-{seq:06d}"
    return numbers


def bump_sequence(org_id: int, year: int, count: int) -> int:
    """Atomically add count to the org's sequence and return its new last value.

    One UPDATE … RETURNING: PostgreSQL row-locks the sequence row until commit, so a concurrent batch
    waits and then continues from our last number; SQLite serialises the writers.
    """
    for _ in range(2):
        statement = (
            update(MemberNumberSequence)
            .where(MemberNumberSequence.org_id == org_id, MemberNumberSequence.year == year)
            .values(last_value=MemberNumberSequence.last_value + count)
            .returning(MemberNumberSequence.last_value)
        )
        last = db.session.execute(statement).scalar()
        if last is not None:
            return last
        create_sequence(org_id, year)
    raise RuntimeError("member number sequence row vanished")


def create_sequence(org_id: int, year: int) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(MemberNumberSequence(org_id=org_id, year=year, last_value=0))
    except IntegrityError:
        pass  # another reviewer created this year's row first; the retried UPDATE uses it


REVIEW_RESULT_WORDS = {"approved": "已通过", "returned": "已退回", "rejected": "未通过"}


def notify_worker(application: MembershipApplication) -> None:
    """Tell the worker the result by WeChat subscribe message: the member number, or the reason."""
    note = application.member_no if application.member_no else application.decision_reason
    worker_messages.tell_worker(
        application.worker, REVIEW_RESULT_WORDS[application.status.value], note, application.decided_at
    )
