"""What nginx writes down: the site's requests, through the rendered deploy/nginx config, leave no display
token, entry code or booth link in any of its logs — only their masked form — even when no host answers."""

import http.client

import pytest

from app.services.live import display_links
from app.services.setup import booth_passes, entry_codes
from tests.deploy.proxy_stack import call
from tests.factories import account

pytestmark = pytest.mark.scaled_only


def get(connection, path: str, headers: dict | None = None) -> int:
    """The status of one GET; the body is not read (a stream would never end)."""
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_proxy_logs_links_with_their_secrets_masked(deployment, seeded):
    proxy, hosts = deployment
    meeting, district = seeded.meeting, account("district")
    screen = display_links.issue(district, meeting, "主会场大屏").token
    code = entry_codes.active_codes(meeting)[0].code
    booth_link = booth_passes.issue(district, meeting.venues[0].booths[0]).token
    status, _, body = call(proxy.connection(), "POST", "/mp/v1/auth/h5", {})
    worker = {"Authorization": f"Bearer {body['token']}"}
    secret_requests = [
        (f"/display/{screen}", {}),
        (f"/api/meetings/{meeting.id}/totals?display={screen}", {}),
        (f"/live/meetings/{meeting.id}/stream?display={screen}", {}),
        (f"/q/{code}", {}),
        (f"/mp/v1/entries/{code}", worker),
        (f"/b/{booth_link}", {}),
        # A page opened from a link sends it as its Referer (asked of the app: nginx's workers may not read a
        # checkout's static files, say in a 0700 temporary clone).
        ("/healthz", {"Referer": f"https://localhost/b/{booth_link}?display={screen}"}),
    ]
    assert [get(proxy.connection(), path, headers) for path, headers in secret_requests] == [200] * 7
    redirect = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    assert get(redirect, f"/q/{code}") == 301

    for host in hosts:  # no host answers: nginx writes error lines, which print the request as sent
        host.kill()
    unanswered = [get(proxy.connection(), path, headers) for path, headers in secret_requests[:5]]
    assert unanswered == [502, 502, 502, 502, 503]
    proxy.stop()

    logs = {path.name: path.read_text() for path in proxy.prefix.glob("*.log")}
    for secret in (screen, code, booth_link):
        assert [name for name, text in logs.items() if secret in text] == []
    assert set(logs) >= {"access.log", "union-intake.access.log", "error.log"}
    site_log = logs["union-intake.access.log"]
    for masked in ("GET /display/*** ", "?display=*** ", "GET /q/*** ", "GET /mp/v1/entries/*** ", "GET /b/*** ",
                   '"https://localhost/b/***"'):
        assert masked in site_log
    assert logs["access.log"] == ""  # Debian's own access log (the http block's) sees none of the site
