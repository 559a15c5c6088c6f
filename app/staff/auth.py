"""Staff sign-in and sign-out, and the first sign-in's new password before anything else."""

from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.errors import AppError, wants_json
from app.extensions import limiter, login_manager
from app.models import Role, User
from app.services import access
from app.services.setup import passwords
from app.staff import bp
from app.staff.forms import LoginForm

login_manager.login_view = "staff.login"
login_manager.login_message = "请先登录"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return passwords.user_of_session(session_id)


# What an account still holding its one-time password may open: the page that replaces it, and the way out.
FIRST_SIGN_IN_PAGES = frozenset({"staff.password_change", "staff.logout"})


@bp.before_app_request
def check_page_roles():
    # One gate for every signed-in page, from access.PAGE_ROLES; anonymous callers meet @login_required.
    # Public pages have no role to check: no user is loaded from the session for them (≈ 2 % of a join's CPU).
    if access.is_public(request.endpoint) or not current_user.is_authenticated:
        return None
    if current_user.must_change_password and request.endpoint not in FIRST_SIGN_IN_PAGES:
        return to_password_change()
    access.require(access.may_open(current_user, request.endpoint))
    return None


def to_password_change():
    """A one-time password opens nothing but its own replacement (a slip may have been read by others)."""
    if wants_json():
        raise AppError("password_change_required", "请先修改一次性密码，再继续操作", 403)
    return redirect(url_for("staff.password_change"))


def login_limit() -> str:
    return current_app.config["RATELIMIT_STAFF_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = passwords.authenticate(form.username.data, form.password.data)
        if user:
            login_user(user)
            if user.must_change_password:
                return redirect(url_for("staff.password_change"))
            return redirect(safe_next(request.args.get("next"), user))
        form.password.errors.append("用户名或密码不正确")
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    passwords.end_sessions(current_user)
    logout_user()
    flash("已退出登录")
    return redirect(url_for("staff.login"))


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_of(current_user))
    return redirect(url_for("staff.login"))


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on pages without a <link rel="icon">: the same SVG, no 404 in every log.
    return current_app.send_static_file("favicon.svg")


def home_of(user: User) -> str:
    """Booth staff start at their booth console; everyone else at the meetings."""
    if user.role is Role.BOOTH_STAFF:
        return url_for("booth.my_booths")
    return url_for("staff.meeting_list")


def safe_next(target: str | None, user: User) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our login page.
    if target and is_same_site_path(target):
        return target
    return home_of(user)


def is_same_site_path(target: str) -> bool:
    """A path on this site, read as a browser would: it drops tabs and newlines and takes "\\" for "/"."""
    # Decoded once more: a proxy or the browser may decode %2F and %09 that arrived still encoded.
    decoded = unquote(target)
    if any(character < " " or character in "\\\x7f" for character in decoded):
        return False
    parts = urlsplit(decoded)
    return decoded.startswith("/") and not decoded.startswith("//") and not parts.scheme and not parts.netloc
