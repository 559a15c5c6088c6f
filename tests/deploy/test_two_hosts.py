"""Production's shape on one machine: Debian's nginx, configured from deploy/nginx, in front of two app hosts
(gunicorn on two ports) sharing one PostgreSQL database and one Redis. Nothing of a join, a screen or a rate
limit may depend on which host answers."""

import http.client
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, MembershipApplication
from app.services.setup import demo
from deploy.render_nginx import FAIL_TIMEOUT_SECONDS
from tests.conftest import csrf_token_from
from tests.deploy.conftest import METRICS_TOKEN
from tests.deploy.proxy_stack import AppHost, Proxy, call
from tests.factories import make_application

pytestmark = pytest.mark.scaled_only

def host_connection(host: AppHost) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", host.port, timeout=10)


# Straight to a host, the request carries what nginx would add.
AS_PROXIED = {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"}


def visitor_token(connect) -> str:
    status, _, body = call(connect(), "POST", "/mp/v1/auth/h5", {}, AS_PROXIED)
    assert status == 200, body
    return body["token"]


def joined_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(MembershipApplication))


def test_a_join_lands_once_whichever_host_or_the_proxy_it_reaches(deployment, join_form):
    proxy, (host_a, host_b) = deployment
    token = visitor_token(lambda: host_connection(host_a))
    headers = {**AS_PROXIED, "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    form = join_form()
    answers = [call(host_connection(host_a), "POST", "/mp/v1/membership-applications", form, headers),
               call(host_connection(host_b), "POST", "/mp/v1/membership-applications", form, headers),
               call(proxy.connection(), "POST", "/mp/v1/membership-applications", form, headers)]
    assert [status for status, _, _ in answers] == [201, 201, 201]  # the retries replay the first answer
    assert len({body["id"] for _, _, body in answers}) == 1
    assert joined_rows() == 1


def test_the_proxy_holds_bodies_to_the_apps_limits_and_keeps_the_metrics_private(deployment):
    proxy, _ = deployment
    token = visitor_token(proxy.connection)
    headers = {"Authorization": f"Bearer {token}"}
    status, _, body = call(proxy.connection(), "POST", "/mp/v1/membership-applications", {"name": "x" * 70_000},
                           headers)
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    photo = proxy.connection()
    boundary = "photo-boundary"
    upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"id.jpg\"\r\n"
              f"Content-Type: image/jpeg\r\n\r\n").encode() + b"\xff\xd8\xff" + b"0" * 1_500_000 + \
        f"\r\n--{boundary}--\r\n".encode()
    photo.request("POST", "/mp/v1/id-card/ocr", body=upload,
                  headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert photo.getresponse().status != 413  # a 1.5 MB photo reaches the app
    assert call(proxy.connection(), "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})[0] == 404


def read_event(stream) -> tuple[str, dict]:
    """The next `event:` of an SSE body, skipping heartbeats."""
    event, data = None, None
    while True:
        line = stream.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            data = json.loads(line[len("data: "):])
        elif line == "" and event:
            return event, data


def test_a_screen_streaming_from_one_host_sees_a_join_made_through_the_other(deployment, seeded, join_form):
    proxy, (host_a, host_b) = deployment
    screen = host_connection(host_a)
    screen.request("GET", f"/live/meetings/{seeded.meeting.id}/stream?display={seeded.display_token}")
    stream = screen.getresponse()
    assert read_event(stream)[0] == "snapshot"
    token = visitor_token(lambda: host_connection(host_b))
    headers = {**AS_PROXIED, "Authorization": f"Bearer {token}"}
    assert call(host_connection(host_b), "POST", "/mp/v1/membership-applications", join_form(), headers)[0] == 201
    while True:
        event, data = read_event(stream)
        meeting = [c for c in data.get("changes", []) if c["scope"] == "meeting"] if event == "update" else []
        if meeting and meeting[0]["values"]["joins"] == 1:
            break
    screen.close()


class StaffBrowser:
    """A staff member's browser reaching the proxy from its own address, with cookies, CSRF and Referer."""

    def __init__(self, proxy: Proxy, source: str, forged_for: str | None = None):
        self.proxy = proxy
        self.source = source
        self.cookies: dict[str, str] = {}
        self.forged = {"X-Forwarded-For": forged_for} if forged_for else {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = self.proxy.connection(self.source)
        origin = f"https://127.0.0.1:{self.proxy.port}"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": origin + path,
                   **self.forged}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        text = response.read().decode()
        connection.close()
        return response.status, text

    def post_form(self, path: str, form: dict, token_page: str) -> int:
        token = csrf_token_from(self.request("GET", token_page)[1])
        return self.request("POST", path, {**form, "csrf_token": token})[0]

    def login(self, username: str, password: str = demo.DEMO_PASSWORD) -> int:
        return self.post_form("/login", {"username": username, "password": password}, "/login")


def test_rate_limits_and_the_audit_log_see_the_real_client_through_the_proxy(deployment, seeded):
    proxy, _ = deployment
    # Each attempt may reach either host; the limit is shared (Redis) and keyed on the client, not on nginx.
    attacker = StaffBrowser(proxy, "127.0.0.2", forged_for="10.1.2.3")
    statuses = [attacker.login("district", "wrong-password") for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    renhe = StaffBrowser(proxy, "127.0.0.3")
    assert renhe.login("renhe") == 302  # another client behind the same proxy is not locked out
    venue = next(v for v in seeded.meeting.venues if v.host_org.name == "仁和镇")
    application = make_application(venue)
    assert renhe.post_form(f"/review/{application.id}/reveal", {}, f"/review/{application.id}") == 200
    db.session.expire_all()
    assert db.session.scalar(select(AuditLog.ip).where(AuditLog.action == "pii.reveal")) == "127.0.0.3"


RETRYABLE = {503}  # nginx's "no host answered" and the app's "unavailable": the H5 page resends the same key


def join_until_answered(proxy: Proxy, form: dict, outcomes: list) -> None:
    """One person joining through the proxy as the H5 page does: one key, resent while the answer is 503."""
    token, headers = None, {"Idempotency-Key": str(uuid.uuid4())}
    for _ in range(5):
        if token is None:
            status, _, body = call(proxy.connection(), "POST", "/mp/v1/auth/h5", {})
            token = body.get("token") if status == 200 else None
            if token is None:
                outcomes.append(("login", status))
                continue
        status, _, body = call(proxy.connection(), "POST", "/mp/v1/membership-applications", form,
                               {**headers, "Authorization": f"Bearer {token}"})
        outcomes.append(("join", status))
        if status not in RETRYABLE:
            return


def test_a_rolling_restart_under_load_fails_no_join_the_client_may_not_retry(deployment, join_form):
    """deploy/README.md's procedure: restart host A, wait until nginx tries it again, then restart host B."""
    proxy, hosts = deployment
    outcomes: list[tuple[str, int]] = []
    people: list[dict] = []
    restarted = threading.Event()

    def person() -> None:
        while not restarted.is_set():
            form = join_form()
            people.append(form)
            join_until_answered(proxy, form, outcomes)

    with ThreadPoolExecutor(max_workers=8) as load:
        futures = [load.submit(person) for _ in range(8)]
        for _ in range(1200):  # under load before the first restart (at most 2 minutes)
            if len(people) >= 40:
                break
            time.sleep(0.1)
        hosts[0] = hosts[0].restart()  # raises unless it drained and exited 0
        time.sleep(FAIL_TIMEOUT_SECONDS + 1)
        hosts[1] = hosts[1].restart()
        restarted.set()
        for future in futures:
            future.result()

    final = [status for kind, status in outcomes if kind == "join" and status not in RETRYABLE]
    assert final == [201] * len(people)
    refused = [(kind, status) for kind, status in outcomes if status not in RETRYABLE | {200, 201}]
    assert refused == []
    assert joined_rows() == len(people)
