"""Meeting set-up pages: list, create/edit meetings, venues and booths, change status."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import AppError
from app.extensions import db
from app.models import Booth, BoothKind, Meeting, MeetingKind, MeetingStatus, Venue, VenueRole
from app.services import access
from app.services.live import display_links, intake_totals
from app.services.setup import booth_passes, booth_staff, meetings, qr_codes
from app.services.setup.meetings import BoothFields, MeetingFields, VenueFields
from app.staff import bp
from app.staff.forms import BoothForm, MeetingForm, VenueForm, render_form, with_org_choices
from app.staff.listing import requested_page


def get_or_404(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


@bp.get("/meetings")
@login_required
def meeting_list():
    wanted = meetings.MeetingFilter(
        search=request.args.get("q", ""),
        year=request.args.get("year", type=int),
        held_on=request.args.get("held_on", type=date.fromisoformat),
    )
    return render_template(
        "staff/meeting_list.html",
        page=meetings.meeting_page(current_user, wanted, requested_page()),
        wanted=wanted,
        years=meetings.meeting_years(current_user),
        can_create=access.can_create_meeting(current_user),
    )


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting_detail(meeting_id: int):
    meeting = meetings.meeting_seen_by(current_user, meeting_id)
    codes = qr_codes.visible_codes(current_user, meeting)
    sees_numbers = access.can_view_summary(current_user)
    can_edit = access.can_edit_meeting(current_user, meeting)
    return render_template(
        "staff/meeting_detail.html",
        meeting=meeting,
        codes=codes,
        **booth_desk(meeting),
        values=intake_totals.meeting_values(meeting) if sees_numbers else None,
        # A display link is a key to the live screen: only those who may issue and revoke it see it.
        links=display_links.active_links(meeting) if can_edit else [],
        can_edit=can_edit,
        can_manage=lambda venue: access.can_manage_venue(current_user, venue),
        sees_codes=lambda venue: access.can_see_venue_codes(current_user, venue),
        next_statuses=sorted(meetings.TRANSITIONS[meeting.status], key=lambda s: s.value),
        status_labels=STATUS_ACTIONS,
    )


def booth_desk(meeting: Meeting) -> dict:
    """Who stands at each booth, whom an admin may add there, and the per-booth links: a query each."""
    if current_user.role not in access.ADMINS:
        return {"is_admin": False, "staff_at": None}
    by_union = booth_staff.choices_by_union(meeting)
    return {
        "is_admin": True,
        "staff_at": booth_staff.assigned_staff(meeting),
        "passes": booth_passes.active_passes(meeting),
        "choices_at": lambda booth: booth_staff.choices_at(booth, by_union),
    }


STATUS_ACTIONS = {"open": "开放入会", "closed": "结束沟通会", "archived": "归档"}


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def meeting_create():
    access.require(access.can_create_meeting(current_user))
    form = MeetingForm()
    with_org_choices(form, "organiser_org_id", meetings.org_choices(current_user))
    if form.validate_on_submit():
        meeting = meetings.create_meeting(current_user, meeting_fields(form))
        flash("沟通会已创建")
        return redirect(url_for("staff.meeting_detail", meeting_id=meeting.id))
    return render_form("staff/meeting_form.html", form, meeting=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def meeting_edit(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    access.require(access.can_edit_meeting(current_user, meeting))
    form = MeetingForm(obj=meeting, kind=meeting.kind.value)
    with_org_choices(form, "organiser_org_id", meetings.org_choices(current_user, keep=meeting.organiser_org_id))
    if form.validate_on_submit():
        meetings.update_meeting(current_user, meeting, meeting_fields(form))
        flash("已保存")
        return redirect(url_for("staff.meeting_detail", meeting_id=meeting.id))
    return render_form("staff/meeting_form.html", form, meeting=meeting)


@bp.post("/meetings/<int:meeting_id>/status")
@login_required
def meeting_status(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    target = request.form.get("status", "")
    if target not in {s.value for s in MeetingStatus}:
        raise AppError("invalid_status", "未知的状态", 422, {"status": "未知的状态"})
    meetings.change_status(current_user, meeting, MeetingStatus(target))
    flash(f"沟通会已改为「{meeting.status_label}」")
    return redirect(url_for("staff.meeting_detail", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/venues/new", methods=["GET", "POST"])
@login_required
def venue_create(meeting_id: int):
    meeting = get_or_404(Meeting, meeting_id)
    form = VenueForm()
    with_org_choices(form, "host_org_id", meetings.org_choices(current_user))
    access.require(bool(form.host_org_id.choices))
    if form.validate_on_submit():
        meetings.add_venue(current_user, meeting, venue_fields(form))
        flash("会场已添加")
        return redirect(url_for("staff.meeting_detail", meeting_id=meeting.id))
    return render_form("staff/venue_form.html", form, meeting=meeting, venue=None)


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def venue_edit(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    access.require(access.can_manage_venue(current_user, venue))
    form = VenueForm(obj=venue, role=venue.role.value)
    with_org_choices(form, "host_org_id", meetings.org_choices(current_user, keep=venue.host_org_id))
    if form.validate_on_submit():
        meetings.update_venue(current_user, venue, venue_fields(form))
        flash("会场已保存")
        return redirect(url_for("staff.meeting_detail", meeting_id=venue.meeting_id))
    return render_form("staff/venue_form.html", form, meeting=venue.meeting, venue=venue)


@bp.route("/venues/<int:venue_id>/booths/new", methods=["GET", "POST"])
@login_required
def booth_create(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    access.require(access.can_manage_venue(current_user, venue))
    form = BoothForm()
    if form.validate_on_submit():
        meetings.add_booth(current_user, venue, booth_fields(form))
        flash("岗位已添加")
        return redirect(url_for("staff.meeting_detail", meeting_id=venue.meeting_id))
    return render_form("staff/booth_form.html", form, venue=venue, booth=None)


@bp.route("/booths/<int:booth_id>/edit", methods=["GET", "POST"])
@login_required
def booth_edit(booth_id: int):
    booth = get_or_404(Booth, booth_id)
    access.require(access.can_manage_venue(current_user, booth.venue))
    form = BoothForm(obj=booth, kind=booth.kind.value)
    if form.validate_on_submit():
        meetings.update_booth(current_user, booth, booth_fields(form))
        flash("岗位已保存")
        return redirect(url_for("staff.meeting_detail", meeting_id=booth.venue.meeting_id))
    return render_form("staff/booth_form.html", form, venue=booth.venue, booth=booth)


def meeting_fields(form: MeetingForm) -> MeetingFields:
    return MeetingFields(
        title=form.title.data.strip(),
        held_on=form.held_on.data,
        kind=MeetingKind(form.kind.data),
        organiser_org_id=form.organiser_org_id.data,
    )


def venue_fields(form: VenueForm) -> VenueFields:
    return VenueFields(
        role=VenueRole(form.role.data),
        host_org_id=form.host_org_id.data,
        place_name=form.place_name.data.strip(),
        address=(form.address.data or "").strip(),
        name=(form.name.data or "").strip(),
    )


def booth_fields(form: BoothForm) -> BoothFields:
    return BoothFields(kind=BoothKind(form.kind.data), name=form.name.data.strip())
