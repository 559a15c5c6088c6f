"""Booth tallies: a tap counts once however often it is sent; 建会意向 lands in the firm ledger."""

import pytest
from sqlalchemy import func, select

from app.errors import AppError
from app.extensions import db
from app.models import ContactRecord, Enterprise, MeetingStatus, Tally, User
from app.services.live import intake_counters, tallies
from app.services.live.tallies import TallyInput
from tests.intake_fixtures import counter_values


@pytest.fixture
def booth_user(seeded):
    return db.session.scalar(select(User).where(User.username == "booth"))


@pytest.fixture
def booth(seeded):
    return seeded.meeting.venues[0].booths[0]


def test_the_same_tally_key_sent_three_times_counts_once(booth_user, booth):
    tap = TallyInput(idempotency_key="tap-0001-materials", kind="materials", quantity=20)
    results = [tallies.record_tally(booth_user, booth, tap) for _ in range(3)]

    assert [r.created for r in results] == [True, False, False]
    assert db.session.scalar(select(func.count()).select_from(Tally)) == 1
    assert counter_values(booth.venue.meeting_id, "booth", booth.id)["materials"] == 20


def test_a_union_intent_adds_a_contact_to_the_firm_in_the_venue_town(booth_user, booth):
    for key in ["intent-0001-aaaa", "intent-0002-bbbb"]:
        tap = TallyInput(key, "union_intent", firm_name=" 北京顺鑫物流有限公司 ", contact_name="刘经理",
                         contact_phone="13900001111")
        tallies.record_tally(booth_user, booth, tap)

    firm = db.session.scalar(select(Enterprise).where(Enterprise.name == "北京顺鑫物流有限公司"))
    assert firm.town_org_id == booth.venue.host_org_id
    assert [c.outcome for c in firm.contacts] == ["有建会意向", "有建会意向"]
    assert "刘经理 13900001111" in firm.contacts[0].note
    assert counter_values(booth.venue.meeting_id)["union_intents"] == 2


def test_a_union_intent_without_a_firm_name_is_refused_naming_the_field(booth_user, booth):
    with pytest.raises(AppError) as refused:
        tallies.record_tally(booth_user, booth, TallyInput("intent-0003-cccc", "union_intent"))
    assert refused.value.status == 422 and "firm_name" in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(ContactRecord)) == 0


def test_booth_staff_cannot_tally_at_a_booth_they_are_not_assigned_to(booth_user, seeded):
    other_venue_booth = seeded.meeting.venues[1].booths[0]
    with pytest.raises(AppError) as refused:
        tallies.record_tally(booth_user, other_venue_booth, TallyInput("tap-0004-dddd", "consultation"))
    assert refused.value.status == 403


def test_no_tally_once_the_meeting_is_closed(booth_user, booth):
    booth.venue.meeting.status = MeetingStatus.CLOSED
    db.session.commit()
    with pytest.raises(AppError) as refused:
        tallies.record_tally(booth_user, booth, TallyInput("tap-0005-eeee", "legal"))
    assert refused.value.status == 410
    assert intake_counters.meeting_counts(booth.venue.meeting_id).values_of("booth", booth.id)["consultations"] == 0
