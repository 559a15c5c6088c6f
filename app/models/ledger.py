"""企业沟通台账: every firm talked to, and each contact with it."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.extensions import db
from app.models.base import TimestampMixin
from app.models.org import Org

UNION_REQUIRED_EMPLOYEES = 25


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprises"
    # The ledger pages by name, the district's whole or one town's (the town index also serves its KPIs).
    __table_args__ = (
        Index("ix_enterprises_name_id", "name", "id"),
        Index("ix_enterprises_town_name_id", "town_org_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    town_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    industry: Mapped[str | None] = mapped_column(String(40))
    employees: Mapped[int] = mapped_column(default=0)
    members: Mapped[int] = mapped_column(default=0)
    has_union: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the firm's union was founded: the overview counts new unions by month from it.
    union_founded_on: Mapped[date | None] = mapped_column(Date, index=True)
    new_form_workers: Mapped[int] = mapped_column(default=0)
    new_form_members: Mapped[int] = mapped_column(default=0)

    # The date of the latest contact, when the list's query asks for it (enterprises.ledger_page).
    last_contacted_on: Mapped[date | None] = query_expression()

    town_org: Mapped[Org] = relationship()
    contacts: Mapped[list["ContactRecord"]] = relationship(
        back_populates="enterprise", order_by="ContactRecord.contacted_on.desc()", cascade="all, delete-orphan"
    )

    @property
    def should_found_union(self) -> bool:
        return self.employees >= UNION_REQUIRED_EMPLOYEES and not self.has_union


class ContactRecord(TimestampMixin, db.Model):
    __tablename__ = "contact_records"
    # A firm's contacts latest first, and its latest contact date for the list, straight from the index.
    __table_args__ = (Index("ix_contact_records_enterprise_day", "enterprise_id", "contacted_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    contacted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    tally_id: Mapped[int | None] = mapped_column(ForeignKey("tallies.id"))

    enterprise: Mapped[Enterprise] = relationship(back_populates="contacts")
