"""Malformed bodies get a 400 or 422 in the one error shape, never a 500, and write nothing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import MembershipApplication
from tests.booth.test_console import console_of
from tests.mp_fixtures import API

LONE_SURROGATES = ["\ud800", "\udfff", "张\udc00三"]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def app_settings(app_settings):
    # Each generated example signs in and posts; the limits themselves are tested elsewhere.
    unlimited = "100000/minute"
    return {**app_settings, "RATELIMIT_MP_SUBMIT_PER_TOKEN": unlimited, "RATELIMIT_MP_STATUS_PER_TOKEN": unlimited,
            "RATELIMIT_MP_LOGIN": unlimited}


def assert_refused_in_shape(response):
    assert response.status_code in (400, 422), response.data[:200]
    error = response.json["error"]
    assert error["code"] and error["message"]
    assert isinstance(error["fields"], dict)


def post_raw(worker, body: str | bytes, path: str = "/membership-applications"):
    return worker.client.post(API + path, data=body, headers=worker.headers({"Content-Type": "application/json"}))


def applications() -> int:
    return db.session.scalar(select(func.count()).select_from(MembershipApplication))


@pytest.mark.parametrize("field", ["name", "employer"])
@pytest.mark.parametrize("text", LONE_SURROGATES)
def test_a_lone_surrogate_in_a_text_field_is_refused(mp_worker, join_form, field, text):
    response = post_raw(mp_worker(), json.dumps(join_form(**{field: text})))  # ensure_ascii: "\ud800" escapes

    assert_refused_in_shape(response)
    assert applications() == 0


def test_a_surrogate_pair_is_one_character_and_accepted(mp_worker, join_form):
    response = post_raw(mp_worker(), json.dumps(join_form(employer="顺义😀物流")))
    assert response.status_code == 201


def test_json_nested_thirty_thousand_deep_is_a_bad_request(mp_worker):
    worker = mp_worker()
    assert_refused_in_shape(post_raw(worker, "[" * 30_000 + "]" * 30_000))
    assert_refused_in_shape(post_raw(worker, '{"a":' * 10_000 + "1" + "}" * 10_000))


def test_a_five_thousand_digit_integer_is_a_bad_request(mp_worker, join_form):
    body = json.dumps(join_form()).replace('"consent": true', '"consent": ' + "9" * 5000)

    assert_refused_in_shape(post_raw(mp_worker(), body))
    assert applications() == 0


def test_a_booth_tap_of_deep_json_is_a_bad_request_too(staff_login, seeded):
    booth = seeded.meeting.venues[0].booths[0]
    staff = staff_login("booth")
    token = console_of(staff, booth)

    response = staff.client.post(f"/api/booths/{booth.id}/tallies", data="[" * 30_000 + "]" * 30_000,
                                 headers={"X-CSRFToken": token, "Content-Type": "application/json"})

    assert_refused_in_shape(response)


@FUZZ
@given(text=st.text(alphabet=st.characters(codec=None, categories=["Cs", "Lo", "Cc", "Zs"]), max_size=30))
def test_any_text_in_the_name_gets_an_answer_in_the_error_shape_or_a_join(mp_worker, join_form, text):
    response = post_raw(mp_worker(), json.dumps(join_form(name=text)))

    if response.status_code != 201:
        assert_refused_in_shape(response)


@FUZZ
@given(depth=st.integers(min_value=1, max_value=10_000), opener=st.sampled_from(["[", '{"a":']))
def test_any_nesting_depth_gets_an_answer_in_the_error_shape(mp_worker, depth, opener):
    closer = "]" if opener == "[" else "}"
    assert_refused_in_shape(post_raw(mp_worker(), opener * depth + "0" + closer * depth))


@FUZZ
@given(digits=st.integers(min_value=1, max_value=6_000), field=st.sampled_from(["name", "consent", "entry_code"]))
def test_any_long_number_in_any_field_gets_an_answer_in_the_error_shape(mp_worker, join_form, digits, field):
    form = join_form(**{field: "PLACEHOLDER"})
    body = json.dumps(form).replace('"PLACEHOLDER"', "7" * digits)

    assert_refused_in_shape(post_raw(mp_worker(), body))
