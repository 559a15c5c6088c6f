"""Passwords: one-time passwords for new and reset accounts, sign-in, sessions, and one's own new password."""

import secrets
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import AppError
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services.audit import record

MIN_PASSWORD_LENGTH = 8

# No 0/O, 1/l/I: a one-time password is read off a slip of paper and typed on a phone.
ONE_TIME_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ONE_TIME_LENGTH = 10  # 31^10 ≈ 2^49.5: beyond guessing at the login's rate limit


def one_time_password() -> str:
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH))


# A one-time password is a random 49.5-bit secret that lives until its first sign-in, not a person's reused choice:
# scrypt at 1/16 of werkzeug's default cost (N=2^11, 2 MiB) still leaves a search of its space GPU-centuries long,
# and a 1,000-volunteer sheet is created in ≈ 8 s instead of ≈ 175 s, past the worker's 60 s timeout (measured on
# 2 busy cores, 2026-12). Passwords people choose keep the default.
ONE_TIME_HASH_METHOD = "scrypt:2048:8:1"


def issue_one_time_password(user: User) -> str:
    """Give the account a new one-time password (no commit); its first sign-in must then choose its own."""
    password = one_time_password()
    user.password_hash = generate_password_hash(password, method=ONE_TIME_HASH_METHOD)
    user.end_sessions()  # as User.set_password does: a reset signs the account out everywhere
    user.must_change_password = True
    return password


# Not a hash of anything: no password ever matches it (werkzeug answers False for a hash it cannot parse).
LOCKED = "!locked"


def lock_password(user: User) -> None:
    """No password at all (no commit): a guest behind a per-booth link never signs in with one."""
    user.password_hash = LOCKED


def holds_one_time_password(user: User) -> bool:
    return user.password_hash.startswith(ONE_TIME_HASH_METHOD + "$")


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppError("weak_password", f"密码至少 {MIN_PASSWORD_LENGTH} 位", 422, {"password": "密码太短"})


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same answer and same work for any mistake)."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    # An unknown name (or a guest's, which has no password) still costs one password hash: a quick "no" would
    # tell which usernames exist.
    known = user is not None and not user.guest
    password_matches = check_password_hash(user.password_hash if known else unknown_user_hash(), password)
    if user is not None and holds_one_time_password(user):
        # A one-time hash is cheap to check; the full-cost one on top keeps its answer as slow as any other.
        check_password_hash(unknown_user_hash(), password)
    if user is None or not user.active or user.guest or not password_matches:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def user_of_session(session_id: str) -> User | None:
    """The active user a session cookie names, if the session has not been ended since (logout, new password).

    Its union comes in the same statement: every page's top bar reads it, and a lazy load would cost a statement
    only when no row of the page happened to bring that union along (year_scale: /meetings 4 statements at 1x, 5 at
    10x, where the newest meetings are all towns').
    """
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, int(user_id), options=[joinedload(User.org)]) if user_id.isdigit() else None
    if user is None or not user.active or version != str(user.session_version):
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every copy of every session cookie stops working."""
    user.end_sessions()
    db.session.commit()


def end_every_session() -> int:
    """Raise every account's session_version in one UPDATE (every staff session ends); the caller commits."""
    return db.session.execute(update(User).values(session_version=User.session_version + 1)).rowcount


def change_password(user: User, password: str, actor: User | None = None) -> None:
    """A new password, which also ends every session signed in with the old one."""
    check_password_strength(password)
    user.set_password(password)
    record(actor, "user.password", "user", user.id, {})
    db.session.commit()


def change_own_password(user: User, current: str, new: str, repeated: str) -> None:
    """One's own new password (the first sign-in's replaces the one-time one); every session of it ends."""
    if not user.check_password(current):
        raise AppError("wrong_password", "当前密码不正确", 422, {"current_password": "当前密码不正确"})
    if new != repeated:
        differ = "两次输入的新密码不一致"
        raise AppError("passwords_differ", differ, 422, {"confirm_password": differ})
    if new == current:
        same = "新密码不能与当前密码相同"
        raise AppError("same_password", same, 422, {"new_password": same})
    try:
        check_password_strength(new)
    except AppError as error:
        raise AppError(error.code, error.message, 422, {"new_password": error.message}) from error
    record(user, "user.password", "user", user.id, {"first_sign_in": user.must_change_password})
    user.set_password(new)
    user.must_change_password = False
    db.session.commit()


@cache
def unknown_user_hash() -> str:
    """A hash made like every stored one (same method and cost), checked when the username is unknown."""
    return generate_password_hash(secrets.token_urlsafe(16))
