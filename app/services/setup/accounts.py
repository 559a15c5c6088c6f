"""Staff accounts: creation with a validated role/scope, one-time passwords, and password sign-in."""

import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

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
    check_password_strength(password)
    if role is not Role.DISTRICT_ADMIN and org is None:
        raise AppError("org_required", "该角色必须指定所属工会", 422, {"org": "请选择所属工会"})
    user = User(username=username, display_name=display_name or username, role=role, org=org)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id, {"username": username, "role": role.value})
    db.session.commit()
    return user


# No 0/O, 1/l/I: a one-time password is read off a slip of paper and typed on a phone.
ONE_TIME_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ONE_TIME_LENGTH = 10  # 31^10 ≈ 2^49.5: beyond guessing at the login's rate limit


def one_time_password() -> str:
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH))


@dataclass
class IssuedAccount:
    """An account with the one-time password it was just given: shown once, never stored in clear."""

    user: User
    password: str


def issue_one_time_password(user: User) -> str:
    """Give the account a new one-time password (no commit); its first sign-in must then choose its own."""
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    return password


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppError("weak_password", f"密码至少 {MIN_PASSWORD_LENGTH} 位", 422, {"password": "密码太短"})


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same answer and same work for any mistake)."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    # An unknown name still costs one password hash: a quick "no" would tell which usernames exist.
    password_matches = check_password_hash(user.password_hash if user else unknown_user_hash(), password)
    if user is None or not user.active or not password_matches:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def user_of_session(session_id: str) -> User | None:
    """The active user a session cookie names, if the session has not been ended since (logout, new password)."""
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or version != str(user.session_version):
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every copy of every session cookie stops working."""
    user.end_sessions()
    db.session.commit()


def change_password(user: User, password: str, actor: User | None = None) -> None:
    """A new password, which also ends every session signed in with the old one."""
    check_password_strength(password)
    user.set_password(password)
    record(actor, "user.password", "user", user.id, {})
    db.session.commit()


def deactivate(user: User, actor: User | None = None) -> None:
    """The account can no longer sign in, and its open sessions end now."""
    user.active = False
    user.end_sessions()
    record(actor, "user.deactivate", "user", user.id, {})
    db.session.commit()


@cache
def unknown_user_hash() -> str:
    """A hash made like every stored one (same method and cost), checked when the username is unknown."""
    return generate_password_hash(secrets.token_urlsafe(16))
