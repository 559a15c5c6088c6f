"""Booth tallies: a tap counts once however often it is sent; 建会意向 lands in the firm ledger."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import AppError
from app.extensions import db
from app.models import AuditLog, ContactRecord, Enterprise, MeetingStatus, Tally, User
from app.models.base import utcnow
from app.services.live import intake_counters, reports, tallies
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


def test_an_undo_counts_the_tap_back_down_once_everywhere_and_is_audited(booth_user, booth):
    meeting = booth.venue.meeting
    tallies.record_tally(booth_user, booth, TallyInput("tap-0010-materials", "materials", quantity=40))
    tallies.record_tally(booth_user, booth, TallyInput("tap-0011-legal", "legal"))
    results = [tallies.undo_tally(booth_user, booth, key, "tap-0011-legal") for key in ("undo-0011-a", "undo-0011-b")]

    assert [r.created for r in results] == [True, False] and results[0].tally.quantity == -1
    for scope, scope_id in [("booth", booth.id), ("venue", booth.venue_id), ("meeting", meeting.id)]:
        values = counter_values(meeting.id, scope, scope_id)
        assert (values["materials"], values["consultations"], values["legal"]) == (40, 0, 0)
    summary = reports.day_summary(meeting)
    assert summary.total.values["legal"] == 0
    assert summary.total.sentence.startswith("发放宣传材料40份，接待咨询职工0人，")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "tally_undo"))
    assert entry.user_id == booth_user.id and entry.detail["kind"] == "legal"


def test_an_undone_union_intent_leaves_no_contact_in_the_ledger(booth_user, booth):
    tallies.record_tally(booth_user, booth, TallyInput("intent-0020-aaaa", "union_intent", firm_name="顺义快递站"))
    tallies.undo_tally(booth_user, booth, "undo-0020-aaaa", "intent-0020-aaaa")

    assert db.session.scalar(select(func.count()).select_from(ContactRecord)) == 0
    assert counter_values(booth.venue.meeting_id, "booth", booth.id)["union_intents"] == 0


def test_a_tap_older_than_30_seconds_cannot_be_undone(booth_user, booth):
    tally = tallies.record_tally(booth_user, booth, TallyInput("tap-0030-consult", "consultation")).tally
    tally.created_at = utcnow() - timedelta(seconds=31)
    db.session.commit()

    with pytest.raises(AppError) as refused:
        tallies.undo_tally(booth_user, booth, "undo-0030-aaaa", "tap-0030-consult")
    assert (refused.value.code, refused.value.message) == ("undo_expired", "只能撤销 30 秒内的计数")


def test_an_undo_cannot_itself_be_undone_nor_name_a_tap_of_another_booth(booth_user, booth, seeded):
    tallies.record_tally(booth_user, booth, TallyInput("tap-0040-consult", "consultation"))
    tallies.undo_tally(booth_user, booth, "undo-0040-aaaa", "tap-0040-consult")
    other = seeded.meeting.venues[0].booths[1]

    for target_booth, key in [(booth, "undo-0040-aaaa"), (other, "tap-0040-consult")]:
        with pytest.raises(AppError) as refused:
            tallies.undo_tally(booth_user, target_booth, "undo-0041-aaaa", key)
        assert refused.value.code == "tally_not_found"


def test_a_bad_materials_count_says_the_allowed_range(booth_user, booth):
    with pytest.raises(AppError) as refused:
        tallies.record_tally(booth_user, booth, TallyInput("tap-0050-materials", "materials", quantity=5000))
    assert refused.value.message == "数量应为 1–1000 的整数"
