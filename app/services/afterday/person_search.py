"""Finding one person in the review queue and at the card desk: by member number, or by the full ID number.

Names, ID numbers and mobiles are Fernet ciphertext (equal text, different bytes), so the database matches only
what is stored for matching: the member number in clear and the ID number's keyed blind index, exactly. Tails
of an ID number or a mobile are deliberately not searchable (docs/decisions.md, 2026-12-07): four digits are
10,000 values, so any stored or derived tail would be a lookup table of the people behind it.
"""

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from app.errors import AppError
from app.extensions import db
from app.models import MembershipApplication, User
from app.services import audit, privacy
from app.services.intake import identity

MEMBER_NO = re.compile(r"^\d{3,}-\d{4}-\d{6}$")  # review.reserve_member_numbers: <org>-<year>-<seq>
UNSEARCHABLE = "请输入完整的 18 位身份证号或会员编号（如 003-2026-000123）；姓名和手机号加密保存，不能按它们查找"


@dataclass(frozen=True)
class PersonSearch:
    text: str  # as the page shows it again
    member_no: str | None = None
    id_blind_index: str | None = None


def person_search(text: str | None) -> PersonSearch | None:
    """What the search box asks for; None when it is empty, a 422 when it is neither an ID nor a member number."""
    typed = identity.normalise_id_number(text)
    if not typed:
        return None
    if identity.ID_PATTERN.match(typed):
        return PersonSearch(typed, id_blind_index=privacy.blind_index(typed))
    if MEMBER_NO.match(typed):
        return PersonSearch(typed, member_no=typed)
    raise AppError("search_unsupported", UNSEARCHABLE, 422, {"q": UNSEARCHABLE})


def matching(search: PersonSearch) -> ColumnElement[bool]:
    """The condition on membership_applications (both columns indexed, both exact)."""
    if search.id_blind_index is not None:
        return MembershipApplication.id_blind_index == search.id_blind_index
    return MembershipApplication.member_no == search.member_no


def note_lookup(user: User, page: str, search: PersonSearch | None, ip: str | None) -> None:
    """A search by ID number looks a person up, as the booth's lookup does: audited, without the number itself.

    Committed before the page is read, so the commit does not expire the rows the page then shows.
    """
    if search is None or search.id_blind_index is None:
        return
    audit.record(user, "application.search", "membership_application", None, {"page": page}, ip)
    db.session.commit()
