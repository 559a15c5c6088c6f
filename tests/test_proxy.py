"""Behind the TLS proxy (PROXY_COUNT=1): rate limits and the audit log see the real client, not nginx.

The test client connects from REMOTE_ADDR as nginx would (127.0.0.1, in FORWARDED_ALLOW_IPS) and passes the
address nginx appended to X-Forwarded-For; a peer outside FORWARDED_ALLOW_IPS cannot choose its address.
"""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.services.setup import demo
from tests.conftest import StaffSession
from tests.factories import make_application

PROXY = "127.0.0.1"
STRANGER = "198.51.100.7"


@pytest.fixture
def app_settings(app_settings, request):
    """nginx alone in front (PROXY_COUNT=1) unless a test asks for another count."""
    return {**app_settings, "PROXY_COUNT": getattr(request, "param", 1), "FORWARDED_ALLOW_IPS": "127.0.0.1,::1"}


def session_from(app, peer: str, forwarded_for: str | None = None) -> StaffSession:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    if forwarded_for:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return StaffSession(client)


def wrong_passwords(session: StaffSession, times: int) -> list[int]:
    return [session.login("district", "wrong-password").status_code for _ in range(times)]


def test_one_clients_wrong_passwords_do_not_lock_out_another_client_behind_the_same_proxy(app, seeded):
    assert wrong_passwords(session_from(app, PROXY, "203.0.113.5"), 11)[-1] == 429
    assert session_from(app, PROXY, "203.0.113.6").login("district", demo.DEMO_PASSWORD).status_code == 302


def test_a_client_cannot_escape_its_lock_out_by_prepending_a_forged_address(app, seeded):
    # nginx appends the real peer to whatever the client sent: "forged, real". Only the last entry counts.
    statuses = [session_from(app, PROXY, f"10.9.9.{n}, 203.0.113.5").login("district", "x").status_code
                for n in range(11)]
    assert statuses[-1] == 429


def test_the_audit_log_records_the_real_client_address(app, seeded):
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue)
    renhe = session_from(app, PROXY, "203.0.113.9")
    assert renhe.login("renhe").status_code == 302
    renhe.post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}")
    assert db.session.scalar(select(AuditLog.ip).where(AuditLog.action == "pii.reveal")) == "203.0.113.9"


def test_a_forwarded_for_header_from_an_untrusted_peer_changes_nothing(app, seeded):
    # A stranger reaching gunicorn directly names a fresh address each time: the lock-out still finds it,
    # and the audit log records the stranger's own address.
    statuses = [session_from(app, STRANGER, f"203.0.113.{n}").login("district", "x").status_code for n in range(11)]
    assert statuses[-1] == 429
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue)
    renhe = session_from(app, "192.0.2.44", "203.0.113.9")
    assert renhe.login("renhe").status_code == 302
    renhe.post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}")
    assert db.session.scalar(select(AuditLog.ip).where(AuditLog.action == "pii.reveal")) == "192.0.2.44"


@pytest.mark.parametrize("app_settings", [0], indirect=True)
def test_without_a_proxy_count_the_forwarded_header_is_ignored(app, seeded):
    statuses = [session_from(app, PROXY, f"203.0.113.{n}").login("district", "x").status_code for n in range(11)]
    assert statuses[-1] == 429
