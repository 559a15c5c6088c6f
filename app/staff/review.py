"""Review queue pages: list, detail with masked PII and an audited reveal, and the decisions."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import AppError
from app.extensions import db
from app.models import ApplicationStatus, Org
from app.models.application import APPLICATION_STATUS_LABELS
from app.services import access, privacy
from app.services.afterday import person_search, review
from app.services.afterday.review import QueueFilters
from app.services.intake.form_options import FIELD_LABELS, NEW_FORM_JOBS
from app.services.setup import meeting_picker
from app.staff import bp
from app.staff.listing import requested_page


@bp.get("/review")
@login_required
def review_queue():
    meeting_field = meeting_picker.meeting_field(current_user, request.args.get("meeting"))
    meeting = meeting_field.picked
    filters = queue_filters(meeting)
    page = review.queue(current_user, filters, requested_page(), request.remote_addr)
    return render_template(
        "staff/review_queue.html",
        page=page,
        identities={a.id: privacy.identity_of(a) for a in page.items},
        filters=filters,
        meeting_field=meeting_field,
        venues=[v for v in meeting.venues if access.can_see_org(current_user, v.host_org_id)] if meeting else [],
        status_labels=APPLICATION_STATUS_LABELS,
        new_form_jobs=NEW_FORM_JOBS,
        # The last answer, 否, is no new form of work: it earns no badge beside the employer.
        new_form_kinds=NEW_FORM_JOBS[:-1],
    )


@bp.get("/review/<int:application_id>")
@login_required
def review_detail(application_id: int):
    application = review.get_for_review(current_user, application_id)
    return render_detail(application, privacy.identity_of(application))


@bp.post("/review/<int:application_id>/reveal")
@login_required
def review_reveal(application_id: int):
    application, identity = review.reveal_identity(current_user, application_id, request.remote_addr)
    return render_detail(application, identity, revealed=True)


@bp.post("/review/<int:application_id>/approve")
@login_required
def review_approve(application_id: int):
    application = review.approve(current_user, application_id, request.remote_addr)
    flash(f"已通过，会员编号 {application.member_no}")
    return back_to_queue()


@bp.post("/review/<int:application_id>/return")
@login_required
def review_return(application_id: int):
    review.return_for_correction(
        current_user, application_id, request.form.get("reason", ""), request.remote_addr,
        request.form.getlist("fields"),
    )
    flash("已退回，职工会看到退回原因")
    return back_to_queue()


@bp.post("/review/<int:application_id>/reject")
@login_required
def review_reject(application_id: int):
    review.reject(current_user, application_id, request.form.get("reason", ""), request.remote_addr)
    flash("已驳回")
    return back_to_queue()


@bp.post("/review/<int:application_id>/void")
@login_required
def review_void(application_id: int):
    review.void_misused(current_user, application_id, request.form.get("reason", ""), request.remote_addr)
    flash("已作废（冒用身份证号），该身份证号可以重新入会")
    return back_to_queue()


@bp.post("/review/<int:application_id>/transfer")
@login_required
def review_transfer(application_id: int):
    target_org_id = request.form.get("org_id", type=int) or 0
    review.transfer(current_user, application_id, target_org_id, request.remote_addr)
    flash("已转给其他镇街工会审核")
    return back_to_queue()


@bp.post("/review/batch-approve")
@login_required
def review_batch_approve():
    ids = [int(value) for value in request.form.getlist("application_id") if value.isdigit()]
    result = review.approve_batch(current_user, ids, request.remote_addr)
    skipped = f"，{result.skipped} 份已被他人处理而跳过" if result.skipped else ""
    flash(f"已批量通过 {len(result.approved)} 份{skipped}")
    return back_to_queue()


def render_detail(application, identity, revealed: bool = False):
    transfer_orgs = db.session.scalars(
        db.select(Org).where(Org.parent_id.is_not(None), Org.id != application.host_org_id).order_by(Org.sort_order)
    ).all()
    return render_template(
        "staff/review_detail.html",
        application=application,
        identity=identity,
        revealed=revealed,
        transfer_orgs=transfer_orgs,
        can_decide=access.can_review(current_user),
        field_labels=FIELD_LABELS,
    )


def queue_filters(meeting) -> QueueFilters:
    status = request.args.get("status", ApplicationStatus.SUBMITTED.value)
    if status not in APPLICATION_STATUS_LABELS and status != "all":
        raise AppError("invalid_status", "未知的申请状态", 422, {"status": "未知的申请状态"})
    return QueueFilters(
        meeting_id=meeting.id if meeting else None,
        venue_id=request.args.get("venue_id", type=int) if meeting else None,
        status=None if status == "all" else ApplicationStatus(status),
        new_form_job=request.args.get("new_form_job") or None,
        search=person_search.person_search(request.args.get("q")),
        newest_first=request.args.get("order") == "newest",
    )


def back_to_queue():
    return redirect(url_for("staff.review_queue"))
