"""Staff accounts, their roles and scopes (an org, or assigned booths)."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, DateTime, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import TimestampMixin, enum_column
from app.models.meeting import Booth
from app.models.org import Org


class Role(enum.Enum):
    DISTRICT_ADMIN = "district_admin"
    ORG_ADMIN = "org_admin"
    BOOTH_STAFF = "booth_staff"
    VIEWER = "viewer"


ROLE_LABELS = {
    "district_admin": "区总工会管理员",
    "org_admin": "镇街工会管理员",
    "booth_staff": "岗位工作人员",
    "viewer": "只读查看",
}

booth_assignments = Table(
    "booth_assignments",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("booth_id", ForeignKey("booths.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "staff_role"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of every session cookie's user id: raising it signs out each copy of every session of this user.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set with a one-time password (a new or reset account): the first sign-in must choose its own.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A volunteer's contact, typed by the organiser (the bulk sheet); booth accounts use it as their username.
    mobile: Mapped[str | None] = mapped_column(String(20))
    # The stand-in account behind a per-booth link (BoothPass): never listed, never signs in with a password.
    guest: Mapped[bool] = mapped_column(default=False, server_default=false())

    org: Mapped[Org | None] = relationship()
    booths: Mapped[list[Booth]] = relationship(secondary=booth_assignments)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role.value]
