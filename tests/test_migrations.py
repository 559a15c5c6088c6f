"""Migrations: one head, upgrade from empty works, they describe exactly the models, and they carry real rows."""

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app, migrations_directory
from app.extensions import db
from app.models import ApplicationStatus, CardStatus
from app.services import privacy
from app.services.intake import enrolment
from app.services.setup import demo
from tests.conftest import settings_for
from tests.factories import days_ago, make_application, make_card

# The revision before 2026_12_01_idempotency_key, when a join's Idempotency-Key lived in idempotency_records.
BEFORE_KEY_ON_APPLICATIONS = "2026_12_01_tally_undo"
WORKER_ID, APPLICATION_ID, KEY = 7, 42, "join-retry-3f9c"


def test_migrations_have_a_single_head():
    script = ScriptDirectory(migrations_directory())
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(fresh_database_url):
    app = create_app(settings_for(fresh_database_url()))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {table.name for table in db.metadata.sorted_tables} <= tables
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert differences == [], "models changed without a migration: run `flask db migrate -m ...`"


def remember_a_join_before_keys_moved(conn) -> None:
    """The rows of one keyed join as the schema before the move held them: NOT NULL columns only."""
    join = {
        "worker_id": WORKER_ID, "application_id": APPLICATION_ID, "key": KEY, "yes": True, "no": False,
        "first_answer": json.dumps({"membership_application_id": APPLICATION_ID}),
    }
    statements = [
        "INSERT INTO orgs (id, name, kind, sort_order) VALUES (1, '顺义区总工会', 'district', 0)",
        "INSERT INTO meetings (id, title, held_on, kind, status, organiser_org_id, created_at) "
        "VALUES (1, '集中入会日', CURRENT_DATE, 'district_day', 'open', 1, CURRENT_TIMESTAMP)",
        "INSERT INTO venues (id, meeting_id, role, host_org_id, place_name, address, created_at) "
        "VALUES (1, 1, 'main', 1, '主会场', '府前街 1 号', CURRENT_TIMESTAMP)",
        "INSERT INTO entry_codes (id, code, meeting_id, venue_id, created_at) "
        "VALUES (1, 'SY-MAIN-01', 1, 1, CURRENT_TIMESTAMP)",
        "INSERT INTO workers (id, created_at) VALUES (:worker_id, CURRENT_TIMESTAMP)",
        "INSERT INTO membership_applications (id, worker_id, meeting_id, venue_id, entry_code_id, host_org_id, "
        "status, id_valid_long_term, consent, consent_version, submitted_at, created_at) "
        "VALUES (:application_id, :worker_id, 1, 1, 1, 1, 'submitted', :no, :yes, '2026-11', "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO idempotency_records (worker_id, key, endpoint, response_status, response_body, created_at) "
        "VALUES (:worker_id, :key, 'membership_applications.create', 201, :first_answer, CURRENT_TIMESTAMP)",
    ]
    for statement in statements:
        conn.execute(text(statement), join)


def app_with_a_join_remembered_before_keys_moved(fresh_database_url):
    app = create_app(settings_for(fresh_database_url()))
    with app.app_context():
        upgrade(revision=BEFORE_KEY_ON_APPLICATIONS)
        with db.engine.begin() as conn:
            remember_a_join_before_keys_moved(conn)
    return app


def test_a_join_remembered_before_the_upgrade_is_still_found_by_its_retry(fresh_database_url):
    app = app_with_a_join_remembered_before_keys_moved(fresh_database_url)
    with app.app_context():
        upgrade()
        replayed = enrolment.replay(WORKER_ID, KEY)
        tables = inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
    assert replayed is not None, "the retry of a join made before the upgrade would create a second application"
    assert (replayed.application.id, replayed.application.idempotency_key) == (APPLICATION_ID, KEY)
    assert "idempotency_records" not in tables


def test_downgrading_after_the_upgrade_gives_the_join_its_idempotency_record_back(fresh_database_url):
    app = app_with_a_join_remembered_before_keys_moved(fresh_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision=BEFORE_KEY_ON_APPLICATIONS)
        with db.engine.connect() as conn:
            records = conn.execute(text(
                "SELECT worker_id, key, endpoint, response_status, response_body FROM idempotency_records"
            )).all()
        db.engine.dispose()
    assert [(r.worker_id, r.key, r.endpoint, r.response_status, json.loads(r.response_body)) for r in records] == [
        (WORKER_ID, KEY, "membership_applications.create", 201, {"membership_application_id": APPLICATION_ID}),
    ]


BEFORE_PURGE_UNLINKS = "2026_12_01_tokens_revoked_at"


def test_downgrading_below_purge_unlinks_keeps_purged_rows_and_their_counts(fresh_database_url):
    app = create_app(settings_for(fresh_database_url()))
    with app.app_context():
        upgrade()
        venue = demo.seed_demo().meeting.venues[0]
        # Two people who withdrew long ago; their phones happened to use the same Idempotency-Key.
        withdrawn = [
            make_application(venue, status=ApplicationStatus.WITHDRAWN, withdrawn_at=days_ago(400),
                             idempotency_key="retry-1")
            for _ in range(2)
        ]
        make_card(withdrawn[0], status=CardStatus.REJECTED)
        assert privacy.purge_expired().applications == 2
        downgrade(revision=BEFORE_PURGE_UNLINKS)
        with db.engine.connect() as conn:
            applications = conn.execute(text("SELECT worker_id FROM membership_applications")).scalars().all()
            cards = conn.execute(text("SELECT worker_id, id_blind_index FROM mutual_aid_card_applications")).all()
        upgrade()
        db.session.remove()
        db.engine.dispose()
    assert len(applications) == 2 and None not in applications, "a purged join was lost or left without a worker"
    assert len(cards) == 1 and None not in cards[0]
