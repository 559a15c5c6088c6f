"""Union organisations: the district federation and its town/street/zone unions."""

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_column


class OrgKind(enum.Enum):
    DISTRICT = "district"
    STREET = "street"
    TOWN = "town"
    ZONE = "zone"


class Org(db.Model):
    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))
    sort_order: Mapped[int] = mapped_column(default=0)
    # A retired union keeps its history (venues, applications, accounts) but leaves every list of choices.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    parent: Mapped["Org | None"] = relationship(remote_side=[id])

    KIND_LABELS = {"district": "区总工会", "street": "街道", "town": "镇", "zone": "功能区"}

    @property
    def union_name(self) -> str:
        """The union as a worker would name it: 仁和镇 → 仁和镇总工会 (a zone's is its 工会)."""
        if self.name.endswith("工会"):
            return self.name
        return self.name + ("工会" if self.kind is OrgKind.ZONE else "总工会")

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS[self.kind.value]

    def __repr__(self) -> str:
        return f"<Org {self.name}>"
