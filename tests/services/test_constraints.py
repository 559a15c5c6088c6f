"""The database itself enforces the one-person rules, so a race cannot break them."""

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ApplicationStatus, CardStatus, MembershipApplication, Tally, TallyKind
from tests.factories import id_number, make_application, make_card

SAME_PERSON = id_number()


def apply(seeded, status=ApplicationStatus.SUBMITTED) -> MembershipApplication:
    return make_application(seeded.meeting.venues[0], id_no=SAME_PERSON, status=status)


def test_second_live_application_for_the_same_id_is_refused_by_the_database(seeded):
    apply(seeded)
    with pytest.raises(IntegrityError):
        apply(seeded)
    db.session.rollback()
    assert db.session.query(MembershipApplication).count() == 1


@pytest.mark.parametrize("ended", [ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN])
def test_an_ended_application_does_not_block_a_new_one(seeded, ended):
    apply(seeded, status=ended)
    apply(seeded)
    assert db.session.query(MembershipApplication).count() == 2


def test_an_approved_member_blocks_a_new_application(seeded):
    apply(seeded, status=ApplicationStatus.APPROVED)
    with pytest.raises(IntegrityError):
        apply(seeded)
    db.session.rollback()


def test_one_card_per_person_unless_the_earlier_one_was_rejected(seeded):
    membership = apply(seeded)
    make_card(membership, status=CardStatus.REJECTED)
    make_card(membership)
    with pytest.raises(IntegrityError):
        make_card(membership)
    db.session.rollback()


def test_a_tally_key_is_counted_once(seeded):
    venue = seeded.meeting.venues[0]
    booth = venue.booths[0]
    for _ in range(2):
        db.session.add(
            Tally(
                idempotency_key="tap-1",
                meeting_id=seeded.meeting.id,
                venue_id=venue.id,
                booth_id=booth.id,
                kind=TallyKind.LEGAL,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_enum_columns_reject_unknown_values_in_the_database(seeded):
    with pytest.raises(IntegrityError):
        db.session.execute(db.text("UPDATE meetings SET status = 'exploded'"))
        db.session.commit()
    db.session.rollback()
