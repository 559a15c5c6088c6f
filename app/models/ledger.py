"""企业沟通台账: every firm talked to, and each contact with it."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin
from app.models.org import Org

UNION_REQUIRED_EMPLOYEES = 25


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    town_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    industry: Mapped[str | None] = mapped_column(String(40))
    employees: Mapped[int] = mapped_column(default=0)
    members: Mapped[int] = mapped_column(default=0)
    has_union: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the firm's union was founded: the overview counts new unions by month from it.
    union_founded_on: Mapped[date | None] = mapped_column(Date)
    new_form_workers: Mapped[int] = mapped_column(default=0)
    new_form_members: Mapped[int] = mapped_column(default=0)

    town_org: Mapped[Org] = relationship()
    contacts: Mapped[list["ContactRecord"]] = relationship(
        back_populates="enterprise", order_by="ContactRecord.contacted_on.desc()", cascade="all, delete-orphan"
    )

    @property
    def should_found_union(self) -> bool:
        return self.employees >= UNION_REQUIRED_EMPLOYEES and not self.has_union


class ContactRecord(TimestampMixin, db.Model):
    __tablename__ = "contact_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    contacted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    tally_id: Mapped[int | None] = mapped_column(ForeignKey("tallies.id"))

    enterprise: Mapped[Enterprise] = relationship(back_populates="contacts")
