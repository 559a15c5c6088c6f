"""POST /mp/v1/mutual-aid-card-applications: members-to-be only, one card per person, the age rule."""

from datetime import date

import pytest

from tests.factories import id_number


@pytest.fixture
def card_form(entry_code):
    def form(**overrides) -> dict:
        return {"entry_code": entry_code, "delivery": "onsite", "consent": True, **overrides}

    return form


def test_a_card_needs_a_membership_application_first(mp_worker, card_form):
    response = mp_worker().post("/mutual-aid-card-applications", card_form())
    assert (response.status_code, response.json["error"]["code"]) == (409, "membership_required")


def test_one_card_per_person(mp_worker, join_form, card_form):
    worker = mp_worker()
    worker.join(join_form())
    assert worker.post("/mutual-aid-card-applications", card_form()).status_code == 201
    again = worker.post("/mutual-aid-card-applications", card_form())
    assert (again.status_code, again.json["error"]["code"]) == (409, "card_already_applied")


@pytest.mark.parametrize(("birth", "female", "status"), [
    (date(1971, 1, 1), True, 409),   # a woman of 55
    (date(1972, 6, 1), True, 201),   # a woman of 54
    (date(1966, 1, 1), False, 409),  # a man of 60
    (date(1967, 6, 1), False, 201),  # a man of 59
])
def test_the_age_rule_follows_the_id_number(mp_worker, join_form, card_form, birth, female, status):
    worker = mp_worker()
    worker.join(join_form(id_number=id_number(birth, female=female)))
    response = worker.post("/mutual-aid-card-applications", card_form())
    assert response.status_code == status
    if status == 409:
        assert response.json["error"]["code"] == "card_not_eligible"


def test_the_age_rule_can_be_switched_off(app, mp_worker, join_form, card_form):
    app.config["CARD_AGE_LIMIT_MALE"] = 0
    worker = mp_worker()
    worker.join(join_form(id_number=id_number(date(1950, 1, 1))))
    assert worker.post("/mutual-aid-card-applications", card_form()).status_code == 201


def test_collecting_at_a_branch_needs_the_branch(mp_worker, join_form, card_form):
    worker = mp_worker()
    worker.join(join_form())
    missing = worker.post("/mutual-aid-card-applications", card_form(delivery="branch"))
    assert missing.status_code == 422 and set(missing.json["error"]["fields"]) == {"branch"}
    chosen = worker.post("/mutual-aid-card-applications", card_form(delivery="branch", branch="北京银行仁和支行"))
    assert (chosen.status_code, chosen.json["branch"]) == (201, "北京银行仁和支行")


def test_an_unknown_delivery_is_a_field_error(mp_worker, join_form, card_form):
    worker = mp_worker()
    worker.join(join_form())
    response = worker.post("/mutual-aid-card-applications", card_form(delivery="post", consent=False))
    assert response.json["error"]["fields"] == {"delivery": "请选择领卡方式"}


@pytest.mark.parametrize("consent", ["true", "yes", 1])
def test_card_consent_is_the_json_boolean_true_and_nothing_else(mp_worker, join_form, card_form, consent):
    worker = mp_worker()
    worker.join(join_form())
    response = worker.post("/mutual-aid-card-applications", card_form(consent=consent))
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"consent"}
