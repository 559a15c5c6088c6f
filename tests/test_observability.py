"""Metrics and logs an operator can use: /metrics behind a token, JSON log lines with a request id, no PII."""

import json
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.intake_fixtures import serve_scaled

TOKEN = "metrics-token-for-the-tests"
JOIN_ROUTE = "/mp/v1/membership-applications"


@pytest.fixture
def app_settings(app_settings):
    return {**app_settings, "METRICS_TOKEN": TOKEN, "RATELIMIT_METRICS_FAILURES_PER_IP": "3/hour"}


def scrape(client, token: str = TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus text (0 when the series does not exist yet)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


def test_metrics_are_not_public(client):
    assert client.get("/metrics").status_code == 404
    assert scrape(client, "a-guess").status_code == 404


def test_wrong_metrics_tokens_are_limited_per_address_then_even_the_right_one_waits_there(client):
    guesses = [scrape(client, f"guess-{n}").status_code for n in range(4)]
    assert guesses == [404, 404, 404, 429]
    assert scrape(client).status_code == 429  # a hit looks like a miss: the guesser learns nothing
    elsewhere = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 200


def test_a_scraper_with_the_right_token_is_never_limited(client):
    assert {scrape(client).status_code for _ in range(10)} == {200}
    assert scrape(client, "one-wrong-token").status_code == 404


def test_metrics_count_joins_and_requests_by_route_and_status(client, mp_worker, join_form):
    before = scrape(client).text

    assert mp_worker().join(join_form()).status_code == 201
    assert mp_worker("li").join(join_form(mobile="12")).status_code == 422

    after = scrape(client).text
    assert sample(after, "intake_joins_total") == sample(before, "intake_joins_total") + 1
    for status in ("201", "422"):
        labels = {"method": "POST", "route": JOIN_ROUTE, "status": status}
        assert sample(after, "http_requests_total", **labels) == sample(before, "http_requests_total", **labels) + 1
    latency = {"method": "POST", "route": JOIN_ROUTE}
    assert sample(after, "http_request_duration_seconds_count", **latency) >= 2


def test_routes_are_labelled_by_rule_so_no_token_reaches_the_metrics(client, seeded):
    client.get(f"/display/{seeded.display_token}")
    assert seeded.display_token not in scrape(client).text
    assert 'route="/display/<token>"' in scrape(client).text


def test_every_answer_carries_a_request_id_and_keeps_a_well_formed_one_from_the_proxy(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "0f3a9c2e77b14d0b"}).headers["X-Request-ID"] == (
        "0f3a9c2e77b14d0b"
    )
    assert client.get("/healthz", headers={"X-Request-ID": "<script>x"}).headers["X-Request-ID"] != "<script>x"


def call(url: str, body=None, token: str | None = None, method: str | None = None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.scaled_only
def test_a_whole_join_flow_logs_json_lines_with_request_ids_and_no_personal_data(
    app, seeded, own_redis, migrated_database_url, tmp_path, entry_code, join_form
):
    log_path = tmp_path / "server.log"
    form = join_form(name="欧阳明月", mobile="13987654321", employer="顺义欧阳物流有限公司")
    with serve_scaled(app, migrated_database_url, own_redis.url, {"METRICS_TOKEN": TOKEN}, log_path) as port:
        base = f"http://127.0.0.1:{port}"
        token = json.loads(call(f"{base}/mp/v1/auth/login", {"code": "dev:ouyang"})[2])["token"]
        assert call(f"{base}/mp/v1/entries/{entry_code}", token=token)[0] == 200
        assert call(f"{base}{JOIN_ROUTE}", {**form, "mobile": "1398765432"}, token)[0] == 422
        status, headers, _ = call(f"{base}{JOIN_ROUTE}", form, token)
        assert status == 201
        assert call(f"{base}/mp/v1/me", token=token)[0] == 200
        card = {"entry_code": entry_code, "delivery": "onsite", "consent": True}
        assert call(f"{base}/mp/v1/mutual-aid-card-applications", card, token)[0] == 201
        for _ in range(20):
            call(f"{base}/readyz")
        metrics = call(f"{base}/metrics", token=TOKEN)[2].decode()

    # Two workers answered; /metrics adds up both (multiprocess mode), whichever of them served it.
    assert sample(metrics, "http_requests_total", method="GET", route="/readyz", status="200") == 20
    assert sample(metrics, "intake_joins_total") == 1
    text = log_path.read_text()
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is one JSON object
    requests = [entry for entry in entries if entry["message"] == "request"]
    assert any(e["request_id"] == headers["X-Request-ID"] and e["status"] == 201 for e in requests)
    assert all(e["request_id"] for e in requests)
    for personal in (form["name"], form["id_number"], form["mobile"], "1398765432", form["id_number"][-8:]):
        assert personal not in text
