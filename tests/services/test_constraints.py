"""The database itself enforces the one-person rules, so a race cannot break them."""

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    ApplicationStatus,
    CardDelivery,
    CardStatus,
    MembershipApplication,
    MutualAidCardApplication,
    Tally,
    TallyKind,
    Worker,
)
from app.services.privacy import blind_index


def application(meeting, status=ApplicationStatus.SUBMITTED, id_number="110113199001011234", openid=None):
    venue = meeting.venues[0]
    worker = Worker(openid=openid or f"openid-{id(object())}")
    row = MembershipApplication(
        worker=worker,
        meeting=meeting,
        venue=venue,
        host_org=venue.host_org,
        status=status,
        id_blind_index=blind_index(id_number),
        consent=True,
        consent_version="2026-11",
    )
    db.session.add(row)
    return row


def test_second_live_application_for_the_same_id_is_refused_by_the_database(seeded):
    application(seeded.meeting, openid="first")
    db.session.commit()
    application(seeded.meeting, openid="second")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.query(MembershipApplication).count() == 1


@pytest.mark.parametrize("ended", [ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN])
def test_an_ended_application_does_not_block_a_new_one(seeded, ended):
    application(seeded.meeting, status=ended, openid="first")
    application(seeded.meeting, openid="second")
    db.session.commit()
    assert db.session.query(MembershipApplication).count() == 2


def test_an_approved_member_blocks_a_new_application(seeded):
    application(seeded.meeting, status=ApplicationStatus.APPROVED, openid="first")
    db.session.commit()
    application(seeded.meeting, openid="second")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def card_for(membership, status=CardStatus.PENDING):
    return MutualAidCardApplication(
        worker=membership.worker,
        membership_application=membership,
        meeting=membership.meeting,
        venue=membership.venue,
        host_org=membership.host_org,
        id_blind_index=membership.id_blind_index,
        delivery=CardDelivery.ONSITE,
        consent=True,
        status=status,
    )


def test_one_card_per_person_unless_the_earlier_one_was_rejected(seeded):
    membership = application(seeded.meeting)
    db.session.add(card_for(membership, CardStatus.REJECTED))
    db.session.add(card_for(membership))
    db.session.commit()
    db.session.add(card_for(membership))
    with pytest.raises(IntegrityError):
        db.session.commit()
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
