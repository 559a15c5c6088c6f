"""Staff accounts: creation with a validated role/scope, and password sign-in."""

from sqlalchemy import select

from app.errors import AppError
from app.extensions import db
from app.models import Org, Role, User
from app.models.base import utcnow
from app.services.audit import record

MIN_PASSWORD_LENGTH = 8


def create_user(username: str, password: str, role: Role, org: Org | None, display_name: str = "",
                actor: User | None = None) -> User:
    """Create a staff account; every role but district_admin must be scoped to an org."""
    if db.session.scalar(select(User).where(User.username == username)):
        raise AppError("username_taken", f"用户名 {username} 已存在", 409, {"username": "用户名已存在"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppError("weak_password", f"密码至少 {MIN_PASSWORD_LENGTH} 位", 422, {"password": "密码太短"})
    if role is not Role.DISTRICT_ADMIN and org is None:
        raise AppError("org_required", "该角色必须指定所属工会", 422, {"org": "请选择所属工会"})
    user = User(username=username, display_name=display_name or username, role=role, org=org)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id, {"username": username, "role": role.value})
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same answer for either mistake)."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user
