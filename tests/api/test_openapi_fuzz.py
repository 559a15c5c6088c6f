"""schemathesis over /mp/v1/openapi.json: every operation, signed in, never a 5xx, every answer as documented."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from tests.conftest import settings_for
from tests.mp_fixtures import API

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Bounded so that one pass stays well under a minute on a shared two-core machine.
EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    # The fuzzer posts far faster than a person; the limits themselves are tested elsewhere.
    unlimited = {
        "RATELIMIT_MP_SUBMIT_PER_TOKEN": "10000/minute",
        "RATELIMIT_MP_LOGIN": "10000/minute",
        "RATELIMIT_MP_OCR_PER_TOKEN": "10000/minute",
    }
    return {**app_settings, **fake_wechat.settings, **unlimited}


@pytest.fixture
def bearer(client) -> dict:
    token = client.post(f"{API}/auth/login", json={"code": "fuzzer"}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def generated_openapi_document() -> dict:
    """The document as the app serves it (it needs no database), loaded when pytest collects this file."""
    return create_app(settings_for("sqlite://")).test_client().get(f"{API}/openapi.json").json


# schemathesis.pytest.from_fixture would build it from the `app` fixture, but it breaks on pytest 9.
schema = schemathesis.openapi.from_dict(generated_openapi_document())


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_and_never_with_a_server_error(case, app, seeded, bearer):
    case.call_and_validate(app=app, headers=bearer, checks=CHECKS)


def with_lone_surrogates(body):
    """The generated body with half a surrogate pair after every string: valid JSON, not valid text."""
    if isinstance(body, dict):
        return {name: with_lone_surrogates(value) for name, value in body.items()}
    if isinstance(body, list):
        return [with_lone_surrogates(value) for value in body]
    return body + "\ud800" if isinstance(body, str) else body


@schema.include(method=["POST", "PATCH"]).parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_body_with_lone_surrogates_is_refused_in_the_error_shape(case, client, seeded, bearer):
    # Sent by hand: schemathesis encodes bodies as UTF-8, which a lone surrogate cannot be; ASCII JSON escapes it.
    body = case.body if isinstance(case.body, (dict, list, str, int, float, bool)) else {}  # no body: {}
    response = client.open(case.formatted_path, method=case.method, query_string=case.query,
                           data=json.dumps(with_lone_surrogates(body)),
                           headers={**bearer, "Content-Type": "application/json"})

    assert response.status_code < 500, response.data[:200]
    if response.status_code >= 400:
        assert isinstance(response.json["error"]["fields"], dict)


def test_the_successful_answers_of_a_whole_visit_match_the_document(client, seeded, bearer, entry_code, join_form):
    def checked(method: str, path: str, template: str, body=None):
        response = client.open(f"{API}{path}", method=method, json=body, headers=bearer)
        assert response.status_code in (200, 201), response.json
        schema[f"{API}{template}"][method].validate_response(response)
        return response.json

    checked("GET", f"/entries/{entry_code}", "/entries/{code}")
    application = checked("POST", "/membership-applications", "/membership-applications", join_form())
    checked("GET", f"/membership-applications/{application['id']}", "/membership-applications/{application_id}")
    card = {"entry_code": entry_code, "delivery": "branch", "branch": "北京银行仁和支行", "consent": True}
    checked("POST", "/mutual-aid-card-applications", "/mutual-aid-card-applications", card)
    checked("GET", "/me", "/me")
    checked("POST", "/auth/phone", "/auth/phone", {"code": "phone:13912345678"})
    checked("DELETE", f"/membership-applications/{application['id']}", "/membership-applications/{application_id}")
