"""The per-org, per-year counter behind readable member numbers (e.g. 003-2026-000042)."""

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class MemberNumberSequence(db.Model):
    """One row per org and year; an atomic UPDATE on it hands out numbers to concurrent approvals."""

    __tablename__ = "member_number_sequences"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)
