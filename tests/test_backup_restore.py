"""Backup and restore as docs/backup.md says: pg_dump, lose the database, pg_restore into a new one, rebuild.

Every application and card comes back whole and readable with the same keys, the counters come back from
SQL, and the one-live-application rule still holds (the blind index needs the same PII_HMAC_KEY).
"""

import subprocess

import pytest
from flask import request_started
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.extensions import db, redis_handle
from app.models import MembershipApplication, MutualAidCardApplication
from app.services import privacy
from app.services.live import intake_counters
from app.services.setup import demo, entry_codes
from tests.conftest import create_postgres_database, drop_postgres_database, forget_request_globals, settings_for
from tests.factories import id_number
from tests.mp_fixtures import WorkerClient, dev_token

pytestmark = pytest.mark.scaled_only


def app_on(database_url: str):
    """An app of its own on that database; each test request starts with a clean `g`, as in conftest's."""
    app = create_app(settings_for(database_url))
    request_started.connect(forget_request_globals, app)
    return app


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def join_code(meeting) -> str:
    return next(c.code for c in entry_codes.active_codes(meeting) if c.booth and c.booth.kind.value == "join")


def join_with_card(client, code: str, login: str, name: str, id_no: str, mobile: str) -> None:
    worker = WorkerClient(client, dev_token(client, login))
    form = {"entry_code": code, "name": name, "id_number": id_no, "mobile": mobile, "employer": "顺义物流",
            "consent": True, "consent_version": "2026-11"}
    assert worker.join(form).status_code == 201
    card = {"entry_code": code, "delivery": "onsite", "consent": True}
    assert worker.post("/mutual-aid-card-applications", card).status_code == 201


def everything_readable() -> dict:
    """Each application as its owner typed it (decrypted), each card, and the meeting's counters."""
    applications = {
        a.id: (a.status.value, privacy.decrypt(a.name_enc), privacy.decrypt(a.id_number_enc),
               privacy.decrypt(a.mobile_enc), a.id_blind_index, a.meeting_id)
        for a in db.session.scalars(select(MembershipApplication))
    }
    cards = {c.id: (c.membership_application_id, c.status.value, c.delivery.value)
             for c in db.session.scalars(select(MutualAidCardApplication))}
    meeting_ids = {row[-1] for row in applications.values()}
    counters = {m: intake_counters.meeting_counts(m).values_of("meeting", m) for m in meeting_ids}
    return {"applications": applications, "cards": cards, "counters": counters}


@pytest.fixture
def databases():
    created = []

    def new() -> str:
        created.append(create_postgres_database("ui_backup"))
        return created[-1]

    yield new
    for url in created:
        drop_postgres_database(url)


def test_a_dump_restored_into_a_new_database_gives_back_every_application_and_card(databases, tmp_path):
    source_url, dump = databases(), tmp_path / "union_intake.dump"
    source = app_on(source_url)
    with source.app_context():
        upgrade()
        code = join_code(demo.seed_demo().meeting)
        join_with_card(source.test_client(), code, "ouyang", "欧阳明月", id_no := id_number(), "13987654321")
        join_with_card(source.test_client(), code, "sima", "司马光", id_number(), "13711112222")
        before = everything_readable()
        db.engine.dispose()

    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", libpq_url(source_url)], check=True)
    drop_postgres_database(source_url)  # the database is lost; the dump and the keys are what is left
    restored_url = databases()
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={libpq_url(restored_url)}", str(dump)], check=True)

    restored = app_on(restored_url)
    with restored.app_context():
        redis_handle.client.flushdb()  # a new Redis, or the old one: counters come from SQL either way
        assert restored.test_cli_runner().invoke(args=["intake", "rebuild"]).exit_code == 0

        assert everything_readable() == before
        assert len(before["applications"]) == len(before["cards"]) == 2
        assert before["applications"][1][1:4] == ("欧阳明月", id_no, "13987654321")
        # The same person cannot file a second live application: the blind index matched, same PII_HMAC_KEY.
        client = restored.test_client()
        again = WorkerClient(client, dev_token(client, "someone-else"))
        form = {"entry_code": code, "name": "欧阳明月", "id_number": id_no, "mobile": "13987654321",
                "employer": "顺义物流", "consent": True, "consent_version": "2026-11"}
        assert again.join(form).json["error"]["code"] == "already_applied"
        redis_handle.client.flushdb()
        db.session.remove()
        db.engine.dispose()
