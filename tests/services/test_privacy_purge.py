"""`flask privacy purge`: PII of old rejected/withdrawn applications is gone from the raw rows, counts stay."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, insert, select, text

from app.extensions import db, redis_handle
from app.models import ApplicationMove, ApplicationStatus, Scan, User
from app.services import privacy
from app.services.afterday import overview, review
from app.services.intake.scans import visitor_key
from app.services.live import intake_counters, reports
from app.services.setup import demo, entry_codes
from tests.conftest import empty_all_tables
from tests.factories import account, days_ago, id_number, make_application, make_card, make_worker


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "RETENTION_DAYS": 30}


def raw_application(application_id: int):
    # Straight from the table, past the ORM: what a database dump would show.
    return db.session.execute(
        text("SELECT name_enc, id_number_enc, mobile_enc, id_blind_index, birth_date, purged_at, status "
             "FROM membership_applications WHERE id = :id"),
        {"id": application_id},
    ).one()


def scan(code, worker, when) -> Scan:
    row = Scan(worker=worker, entry_code_id=code.id, meeting_id=code.meeting_id, venue_id=code.venue_id,
               booth_id=code.booth_id, scanned_at=when, visitor_key=visitor_key(code.meeting_id, worker.id))
    db.session.add(row)
    db.session.commit()
    return row


def district() -> User:
    return db.session.scalar(select(User).where(User.username == "district"))


def counts_of(meeting):
    values = intake_counters.meeting_counts(meeting.id)
    scopes = [("meeting", meeting.id)] + [("venue", v.id) for v in meeting.venues]
    return {scope: values.values_of(*scope) for scope in scopes}


def test_purge_removes_old_pii_and_keeps_every_count(seeded, runner):
    meeting = seeded.meeting
    venue = next(v for v in meeting.venues if v.host_org.name == "仁和镇")
    old_rejected = make_application(venue, name="旧驳回")
    old_withdrawn = make_application(venue, name="旧撤回", status=ApplicationStatus.WITHDRAWN,
                                     withdrawn_at=days_ago(40))
    recent_rejected = make_application(venue, name="新驳回")
    approved = make_application(venue, name="已通过")
    for application in (old_rejected, recent_rejected):
        review.reject(district(), application.id, "不符合入会条件")
    review.approve(district(), approved.id)
    old_rejected.decided_at = days_ago(31)
    db.session.commit()

    code = next(c for c in entry_codes.active_codes(meeting) if c.venue_id == venue.id)
    regular, newcomer = make_worker(), make_worker()
    old_scans = [scan(code, regular, days_ago(45)), scan(code, regular, days_ago(44))]
    old_scans.append(scan(code, newcomer, days_ago(40)))
    fresh_scan = scan(code, newcomer, days_ago(1))
    intake_counters.rebuild(meeting.id)
    counts_before = counts_of(meeting)
    overview_before = overview.district_overview(district())
    summary_before = [row.sentence for row in reports.day_summary(meeting).rows]

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 2 applications, unlinked 3 scans" in result.output
    assert "applications: 2 of 2 done (" in result.output and "visitors: 2 of 2 done (" in result.output

    db.session.expire_all()
    for purged in (old_rejected, old_withdrawn):
        row = raw_application(purged.id)
        assert row[:5] == (None, None, None, None, None) and row.purged_at is not None
        assert row.status in ("rejected", "withdrawn")
    for kept in (recent_rejected, approved):
        assert privacy.decrypt(raw_application(kept.id).name_enc) in ("新驳回", "已通过")
    assert all(db.session.get(Scan, s.id).worker_id is None for s in old_scans)
    assert db.session.get(Scan, fresh_scan.id).worker_id == newcomer.id
    assert all(db.session.get(Scan, s.id).visitor_key.startswith("purged:") for s in old_scans)

    intake_counters.rebuild(meeting.id)
    assert counts_of(meeting) == counts_before
    assert counts_before[("meeting", meeting.id)]["visitors"] == 2
    assert [row.sentence for row in reports.day_summary(meeting).rows] == summary_before
    assert overview.district_overview(district()) == overview_before


def test_a_second_purge_finds_nothing_new(seeded, runner):
    venue = seeded.meeting.venues[0]
    make_application(venue, status=ApplicationStatus.WITHDRAWN, withdrawn_at=days_ago(31))
    assert privacy.purge_expired().applications == 1
    assert privacy.purge_expired() == privacy.PurgeResult(0, 0, 0)


def test_nothing_younger_than_the_retention_period_is_touched(seeded):
    venue = seeded.meeting.venues[0]
    application = make_application(venue, status=ApplicationStatus.WITHDRAWN, withdrawn_at=days_ago(29))
    assert privacy.purge_expired(now=days_ago(0) + timedelta(minutes=1)).applications == 0
    assert raw_application(application.id).name_enc is not None


def test_a_worker_without_a_live_application_loses_the_stored_phone_number(seeded):
    venue = seeded.meeting.venues[0]
    gone, member = make_worker(), make_worker()
    for worker in (gone, member):
        worker.phone_enc = privacy.encrypt("13912345678")
        worker.last_seen_at = days_ago(60)
    make_application(venue, worker=gone, status=ApplicationStatus.WITHDRAWN, withdrawn_at=days_ago(50))
    make_application(venue, worker=member, status=ApplicationStatus.APPROVED)
    assert privacy.purge_expired().workers == 1
    phones = dict(db.session.execute(text("SELECT id, phone_enc FROM workers WHERE id IN (:a, :b)"),
                                     {"a": gone.id, "b": member.id}).all())
    assert phones[gone.id] is None and privacy.decrypt(phones[member.id]) == "13912345678"


def test_a_purged_person_is_unlinked_from_every_row_and_may_apply_again(seeded):
    venue = seeded.meeting.venues[0]
    id_no = id_number()
    old = make_application(venue, id_no=id_no, status=ApplicationStatus.WITHDRAWN, withdrawn_at=days_ago(40))
    make_card(old)

    privacy.purge_expired()

    application_worker = db.session.execute(
        text("SELECT worker_id FROM membership_applications WHERE id = :id"), {"id": old.id}).scalar()
    card = db.session.execute(text("SELECT worker_id, id_blind_index FROM mutual_aid_card_applications "
                                   "WHERE membership_application_id = :id"), {"id": old.id}).one()
    assert application_worker is None and tuple(card) == (None, None)
    again = make_application(venue, id_no=id_no)
    assert make_card(again).id_blind_index == privacy.blind_index(id_no)  # no 409: the old card holds no key


TYPED_MOBILE = "13900001234"


def every_stored_text(table: str) -> str:
    # Every column of every row, as a dump would show it (JSON details included).
    rows = db.session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 — a fixed table name
    return repr([tuple(row) for row in rows])


def test_purge_keeps_no_typed_mobile_employer_or_member_number_and_no_pending_card(seeded):
    meeting = seeded.meeting
    venue = next(v for v in meeting.venues if v.host_org.name == "仁和镇")
    renhe = account("renhe")
    rejected = make_application(venue, employer="北京仁和精密机械有限公司", employer_credit_code="91110113MA01ABCD2X")
    voided = make_application(venue, employer="北京仁和精密机械有限公司")
    rejected_card, voided_card = make_card(rejected), make_card(voided)
    review.reject(renhe, rejected.id, f"请本人带身份证来，或打{TYPED_MOBILE}")
    review.approve(renhe, voided.id)
    review.void_misused(renhe, voided.id, f"本人到场出示身份证，冒用者手机{TYPED_MOBILE}")
    for application in (rejected, voided):
        application.decided_at = application.withdrawn_at = days_ago(40)
    db.session.commit()
    intake_counters.rebuild(meeting.id)
    counts_before = counts_of(meeting)
    summary_before = [row.sentence for row in reports.day_summary(meeting).rows]

    assert privacy.purge_expired().applications == 2

    db.session.expire_all()
    assert TYPED_MOBILE not in every_stored_text("membership_applications")
    assert TYPED_MOBILE not in every_stored_text("audit_logs")
    assert "北京仁和精密机械有限公司" not in every_stored_text("membership_applications")
    for application in (rejected, voided):
        row = db.session.execute(text("SELECT employer, employer_credit_code, member_no, gender, decision_reason "
                                      "FROM membership_applications WHERE id = :id"), {"id": application.id}).one()
        assert tuple(row) == (None, None, None, None, None)
    for card in (rejected_card, voided_card):
        assert db.session.execute(text("SELECT status FROM mutual_aid_card_applications WHERE id = :id"),
                                  {"id": card.id}).scalar() == "rejected"
    reasons = db.session.execute(text("SELECT action, user_id FROM audit_logs WHERE target_type = "
                                      "'membership_application' AND target_id = :id"), {"id": rejected.id}).all()
    assert ("application.reject", renhe.id) in [tuple(row) for row in reasons]  # who did what stays
    intake_counters.rebuild(meeting.id)
    assert counts_of(meeting) == counts_before
    assert [row.sentence for row in reports.day_summary(meeting).rows] == summary_before


def test_an_application_purged_under_the_old_rules_loses_the_rest_at_the_next_purge(seeded):
    venue = seeded.meeting.venues[0]
    old = make_application(venue, status=ApplicationStatus.WITHDRAWN, withdrawn_at=days_ago(40))
    card = make_card(old)
    db.session.execute(text("UPDATE membership_applications SET name_enc = NULL, id_number_enc = NULL, "
                            "mobile_enc = NULL, id_blind_index = NULL, purged_at = :now WHERE id = :id"),
                       {"now": days_ago(5), "id": old.id})
    db.session.commit()

    assert privacy.purge_expired().applications == 1
    assert db.session.execute(text("SELECT employer FROM membership_applications WHERE id = :id"),
                              {"id": old.id}).scalar() is None
    assert db.session.execute(text("SELECT status FROM mutual_aid_card_applications WHERE id = :id"),
                              {"id": card.id}).scalar() == "rejected"
    assert privacy.purge_expired().applications == 0


def test_a_backlog_larger_than_a_batch_is_purged_in_committed_batches(seeded, monkeypatch):
    venue = seeded.meeting.venues[0]
    backlog = [make_application(venue, status=ApplicationStatus.WITHDRAWN, withdrawn_at=days_ago(40))
               for _ in range(5)]
    monkeypatch.setattr(privacy, "PURGE_BATCH", 2)

    assert privacy.purge_expired().applications == 5
    for application in backlog:
        row = db.session.execute(text("SELECT purged_at, employer FROM membership_applications WHERE id = :id"),
                                 {"id": application.id}).one()
        assert row.purged_at is not None and row.employer is None


def test_unlinking_scans_costs_the_same_statements_for_2_visitors_as_for_40(seeded):
    code = entry_codes.active_codes(seeded.meeting)[0]

    def statements_to_unlink(visitors: int) -> int:
        workers = [make_worker() for _ in range(visitors)]
        db.session.execute(insert(Scan), [
            {"worker_id": worker.id, "entry_code_id": code.id, "meeting_id": code.meeting_id,
             "venue_id": code.venue_id, "booth_id": code.booth_id, "scanned_at": days_ago(40 + n),
             "visitor_key": visitor_key(code.meeting_id, worker.id)}
            for worker in workers for n in range(2)
        ])
        db.session.commit()
        seen = []
        counting = lambda *_args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", counting)
        try:
            assert privacy.purge_expired().scans == 2 * visitors
        finally:
            event.remove(db.engine, "before_cursor_execute", counting)
        return len(seen)

    assert statements_to_unlink(2) == statements_to_unlink(40)


class Interrupted(Exception):
    """Stands for a Ctrl-C or a killed process right after a batch's progress line."""


def a_backlog(meeting) -> None:
    """Five applications ended long ago (with cards, a move, reasons in audit rows), their workers and scans."""
    venue = next(v for v in meeting.venues if v.host_org.name == "仁和镇")
    code = next(c for c in entry_codes.active_codes(meeting) if c.venue_id == venue.id)
    renhe = account("renhe")
    for n in range(5):
        worker = make_worker(f"oid-backlog-{n}")
        worker.phone_enc, worker.last_seen_at = privacy.encrypt(f"1391234567{n}"), days_ago(60)
        application = make_application(venue, worker=worker, id_no=id_number(serial=9000 + n),
                                       submitted_at=days_ago(50), employer=f"第{n}家企业")
        make_card(application)
        if n % 2:
            review.reject(renhe, application.id, f"请本人来，或打1390000123{n}")
        else:
            review.return_for_correction(renhe, application.id, "请补充", fields=["employer"])
            application.status, application.withdrawn_at = ApplicationStatus.WITHDRAWN, days_ago(45)
        application.decided_at = days_ago(45)
        db.session.add(ApplicationMove(application_id=application.id, from_worker_id=worker.id, moved_at=days_ago(46)))
        for age in (44, 43) if n < 4 else (44, 1):
            scan(code, worker, days_ago(age))
    make_application(venue, worker=make_worker("oid-backlog-member"), id_no=id_number(serial=9100),
                     status=ApplicationStatus.APPROVED)
    db.session.commit()


MOMENT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def end_state() -> dict:
    """Every row purge touches, as a dump shows it; what a run stamps or draws at random is shown by its shape."""
    tables = ("membership_applications", "mutual_aid_card_applications", "application_moves", "audit_logs",
              "scans", "workers")
    purged_keys: dict[str, str] = {}

    def shape(value):
        if isinstance(value, datetime) or isinstance(value, str) and MOMENT.match(value):  # SQLite's are text
            return "time"
        if isinstance(value, bytes | memoryview):
            return "ciphertext"
        if isinstance(value, str) and value.startswith("purged:"):
            return purged_keys.setdefault(value, f"purged #{len(purged_keys)}")
        return value

    return {table: [tuple(shape(value) for value in row)
                    for row in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()]  # noqa: S608
            for table in tables}


def start_again() -> None:
    """Empty every table: ids start from 1 again, as when the test began."""
    db.session.remove()
    empty_all_tables()
    if redis_handle.enabled:
        redis_handle.client.flushdb()


@pytest.mark.parametrize("step", ["applications", "visitors", "workers"])
def test_a_purge_interrupted_after_a_batch_keeps_it_and_the_next_run_ends_as_an_uninterrupted_one(
        seeded, monkeypatch, step):
    monkeypatch.setattr(privacy, "PURGE_BATCH", 2)
    monkeypatch.setattr(privacy, "UNLINK_BATCH", 2)
    a_backlog(seeded.meeting)
    assert privacy.purge_expired() == privacy.PurgeResult(5, 9, 5)
    uninterrupted = end_state()

    start_again()
    a_backlog(demo.seed_demo().meeting)
    told = []

    def interrupt_after_first_batch(done_step, done, total):
        told.append((done_step, done, total))
        if done_step == step:
            raise Interrupted

    with pytest.raises(Interrupted):
        privacy.purge_expired(progress=interrupt_after_first_batch)

    assert told[-1] == (step, 2, 5)
    db.session.rollback()
    assert first_batch_is_done(step)
    privacy.purge_expired()
    resumed = end_state()
    for table, rows in uninterrupted.items():
        assert (table, resumed[table]) == (table, rows)
    assert privacy.purge_expired() == privacy.PurgeResult(0, 0, 0)


def first_batch_is_done(step: str) -> bool:
    """Exactly one batch (2) of the step is committed, nothing of its next one."""
    done = {
        "applications": "SELECT count(*) FROM membership_applications WHERE purged_at IS NOT NULL",
        "visitors": "SELECT count(DISTINCT visitor_key) FROM scans WHERE visitor_key LIKE 'purged:%'",
        "workers": "SELECT count(*) FROM workers WHERE openid LIKE 'oid-backlog-_' AND phone_enc IS NULL",
    }
    return db.session.execute(text(done[step])).scalar() == 2
