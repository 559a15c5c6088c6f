"""Staff accounts: who may create and manage which, one-time passwords, sign-in, and one's own password."""

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.errors import AppError
from app.extensions import db
from app.models import Org, Role, User
from app.services import access
from app.services.audit import record
from app.services.intake import identity
from app.services.setup.passwords import check_password_strength, issue_one_time_password

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{3,40}")
USERNAME_RULE = "用户名应为 3–40 位字母、数字或 _ . -，或一个手机号"
ACCOUNT_PAGE_SIZE = 50
# A form's first choice is what a hurried click gives: the least powerful role, never the district's.
ROLES_LEAST_FIRST = (Role.BOOTH_STAFF, Role.VIEWER, Role.ORG_ADMIN, Role.DISTRICT_ADMIN)


@dataclass(frozen=True)
class AccountFields:
    """What an admin types for an account; the username is fixed once the account exists."""

    username: str
    display_name: str
    role: Role
    org_id: int | None
    mobile: str = ""


@dataclass
class IssuedAccount:
    """An account with the one-time password it was just given: shown once, never stored in clear."""

    user: User
    password: str


@dataclass
class AccountPage:
    accounts: list[User]
    next_after: int | None  # the id the 下一页 link continues after; None on the last page


def union_choices(actor: User) -> list[Org]:
    """The unions an actor may give a new account: every active one for the district, its own for an org admin."""
    # Not unions.active_unions(): that leaves the district itself out, and unions.py imports this module.
    query = select(Org).where(Org.retired_at.is_(None)).order_by(Org.sort_order, Org.id)
    if not access.is_district_admin(actor):
        query = query.where(Org.id == actor.org_id)
    return list(db.session.scalars(query))


def role_choices(actor: User) -> list[Role]:
    """The roles an actor may give: every role for the district, booth staff and viewers for an org admin."""
    return [role for role in ROLES_LEAST_FIRST if access.can_manage_account(actor, role, actor.org_id)]


def create_user(username: str, password: str, role: Role, org: Org | None, display_name: str = "",
                actor: User | None = None) -> User:
    """Create an account with a password chosen at the shell (flask users create): the web's checks, no rights."""
    check_password_strength(password)
    fields = checked_fields(actor, AccountFields(username, display_name, role, org.id if org else None))
    user = new_account(actor, fields, password).user
    db.session.commit()
    return user


def create_account(actor: User, fields: AccountFields) -> IssuedAccount:
    """A new account with a one-time password, which its first sign-in must replace."""
    issued = new_account(actor, checked_fields(actor, fields), None)
    db.session.commit()
    return issued


def new_account(actor: User | None, fields: AccountFields, password: str | None) -> IssuedAccount:
    """The account added (no commit) with the password given, or with a one-time one when none is."""
    user = User(username=fields.username, display_name=fields.display_name, role=fields.role,
                org_id=fields.org_id, mobile=fields.mobile or None)
    if password is None:
        password = issue_one_time_password(user)
    else:
        user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()  # the same username, created by someone else since checked_fields() looked
        raise username_taken(user.username) from exc
    record(actor, "user.create", "user", user.id,
           {"username": user.username, "role": user.role.value, "org_id": user.org_id})
    return IssuedAccount(user, password)


def checked_fields(actor: User | None, fields: AccountFields) -> AccountFields:
    """The fields of a new account, normalised; refused when the actor may not or the username is taken.

    A None actor is the shell (flask users create): whoever holds it holds the server, so only rights are skipped.
    """
    username = normalised_username(fields.username)
    if actor is not None:
        access.require(access.can_manage_account(actor, fields.role, fields.org_id))
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise username_taken(username)
    return checked_profile(fields, username)


def username_taken(username: str) -> AppError:
    return AppError("username_taken", f"用户名 {username} 已存在", 409, {"username": "用户名已存在"})


def checked_profile(fields: AccountFields, username: str, current_org_id: int | None = None) -> AccountFields:
    """Name, role, union and mobile checked; a union other than the account's current one must be active."""
    if fields.role is not Role.DISTRICT_ADMIN and fields.org_id is None:
        raise AppError("org_required", "该角色必须指定所属工会", 422, {"org_id": "请选择所属工会"})
    if fields.org_id is not None and fields.org_id != current_org_id:
        check_union_open(fields.org_id)
    display_name = identity.normalise_text(fields.display_name)[:40] or username
    return AccountFields(username, display_name, fields.role, fields.org_id, checked_mobile(fields.mobile))


def check_union_open(org_id: int) -> None:
    org = db.session.get(Org, org_id)
    if org is None:
        raise AppError("org_not_found", "找不到该工会", 422, {"org_id": "请选择所属工会"})
    if org.is_retired:
        raise AppError("org_retired", f"工会「{org.name}」已撤销，不能再为它新建或调入账号", 422,
                       {"org_id": "该工会已撤销，请选择其他工会"})


def normalised_username(value: str) -> str:
    """A username as stored: a mobile number in its 11 digits (+86, spaces and dashes dropped), else as typed."""
    username = identity.normalise_text(value)
    if is_mobile(identity.normalise_mobile(username)):
        return identity.normalise_mobile(username)
    if not USERNAME_PATTERN.fullmatch(username):
        raise AppError("invalid_username", USERNAME_RULE, 422, {"username": USERNAME_RULE})
    return username


def is_mobile(value: str) -> bool:
    try:
        identity.check_mobile(value)
    except identity.IdentityError:
        return False
    return True


def checked_mobile(value: str) -> str:
    mobile = identity.normalise_mobile(value)
    if mobile and not is_mobile(mobile):
        raise AppError("invalid_mobile", "手机号格式不正确", 422, {"mobile": "请填写 11 位手机号"})
    return mobile


def managed_account(actor: User, user_id: int) -> User:
    """An account the actor may manage; 404 for none (or a guest, which is never managed here), 403 for another's."""
    user = db.session.get(User, user_id)
    if user is None or user.guest:
        raise AppError("not_found", "找不到该账号", 404)
    access.require(access.can_manage_account(actor, user.role, user.org_id))
    return user


def update_account(actor: User, user: User, fields: AccountFields) -> User:
    """Change an account's name, role, union and mobile, within the actor's rights over both the old and the new."""
    access.require(access.can_manage_account(actor, user.role, user.org_id))
    access.require(access.can_manage_account(actor, fields.role, fields.org_id))
    checked = checked_profile(fields, user.username, current_org_id=user.org_id)
    if checked.role is not Role.DISTRICT_ADMIN:
        check_not_last_district_admin(user)
    before = profile_of(user)
    user.display_name, user.role, user.org_id, user.mobile = (
        checked.display_name, checked.role, checked.org_id, checked.mobile or None)
    changes = {name: value for name, value in profile_of(user).items() if value != before[name]}
    if {"role", "org_id"} & changes.keys():
        # Booth staff moved to another union (or role) leave the booths they may no longer stand at.
        user.booths = [booth for booth in user.booths if access.may_stand_at(user, booth)]
    record(actor, "user.update", "user", user.id, {"username": user.username, **changes})
    db.session.commit()
    return user


def profile_of(user: User) -> dict:
    return {"display_name": user.display_name, "role": user.role.value, "org_id": user.org_id, "mobile": user.mobile}


def reset_password(actor: User | None, user: User) -> str:
    """A new one-time password (shown once); the account's sessions end and its next sign-in must replace it."""
    check_other_account(actor, user)
    password = issue_one_time_password(user)
    record(actor, "user.reset", "user", user.id, {"username": user.username})
    db.session.commit()
    return password


def deactivate(user: User, actor: User | None = None) -> None:
    """The account can no longer sign in, and its open sessions end now."""
    check_other_account(actor, user)
    check_not_last_district_admin(user)
    user.active = False
    user.end_sessions()
    record(actor, "user.deactivate", "user", user.id, {"username": user.username})
    db.session.commit()


def reactivate(user: User, actor: User | None = None) -> None:
    """The account may sign in again with its password (an account of a retired union may not)."""
    check_other_account(actor, user)
    if user.org_id is not None:
        check_union_open(user.org_id)
    user.active = True
    record(actor, "user.reactivate", "user", user.id, {"username": user.username})
    db.session.commit()


def check_other_account(actor: User | None, user: User) -> None:
    """Rights over the account, and never one's own (that would sign oneself out, or lock oneself out)."""
    if user.guest:
        # Its booth link is the only way in: a password or a reactivation would reopen a revoked link.
        raise AppError("guest_account", "这是岗位链接背后的账号，请在沟通会页面管理岗位链接", 409)
    if actor is None:
        return
    access.require(access.can_manage_account(actor, user.role, user.org_id))
    if actor.id == user.id:
        raise AppError("own_account", "不能对自己的账号执行此操作（修改自己的密码请用「修改密码」）", 409)


def check_not_last_district_admin(user: User) -> None:
    """Someone must be left to manage the district: its last active admin stays one."""
    if user.role is not Role.DISTRICT_ADMIN or not user.active:
        return
    # Locking every active district admin serialises two admins deactivating each other at the same moment.
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.DISTRICT_ADMIN, User.active.is_(True), User.guest.is_(False))
        .order_by(User.id).with_for_update()
    ).all()
    if set(admins) <= {user.id}:
        raise AppError("last_district_admin", "这是最后一个可用的区总工会管理员账号，不能停用或改为其他角色", 409)


def list_accounts(actor: User, search: str = "", role: Role | None = None, org_id: int | None = None,
                  after_id: int | None = None, limit: int = ACCOUNT_PAGE_SIZE) -> AccountPage:
    """The accounts the actor sees, by name, username or mobile, a page at a time after an id (never OFFSET)."""
    access.require(actor.role in access.ADMINS)
    query = select(User).options(joinedload(User.org)).where(User.guest.is_(False))
    if not access.is_district_admin(actor):
        query = query.where(User.org_id == actor.org_id)
    if search := identity.normalise_text(search):
        query = query.where(matching(search))
    if role is not None:
        query = query.where(User.role == role)
    if org_id is not None:
        query = query.where(User.org_id == org_id)
    if after_id is not None:
        query = query.where(User.id > after_id)
    accounts = list(db.session.scalars(query.order_by(User.id).limit(limit + 1)))
    return AccountPage(accounts[:limit], accounts[limit - 1].id if len(accounts) > limit else None)


def matching(search: str):
    """A name or username containing the words, or a mobile containing them as digits (% and _ taken literally)."""
    return or_(User.display_name.icontains(search, autoescape=True), User.username.icontains(search, autoescape=True),
               User.mobile.icontains(identity.normalise_mobile(search), autoescape=True))
