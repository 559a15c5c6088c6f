"""The shared table of 身份证号 / mobile / credit-code vectors, run against the server's rules.

app/static/identity.js (the H5 page) and the mini-program's copy run the same table (tests/js/), so a worker
is told the same thing on leaving a field as the server answers on submit.
"""

import json
from datetime import date
from pathlib import Path

import pytest

from app.services.intake import identity
from app.services.intake.identity import IdentityError

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "identity.json").read_text())
TODAY = date.fromisoformat(VECTORS["today"])


def outcome(check) -> dict:
    try:
        return {"normalised": check()}
    except IdentityError as error:
        assert str(error) == VECTORS["messages"][error.code]
        return {"error": error.code}


def expected(vector: dict) -> dict:
    return {key: vector[key] for key in ("normalised", "error") if key in vector}


@pytest.mark.parametrize("vector", VECTORS["id_numbers"], ids=lambda v: v["note"])
def test_id_numbers_follow_the_shared_table(vector):
    def check():
        parsed = identity.parse_id_number(identity.normalise_id_number(vector["input"]), TODAY)
        assert (parsed.birth_date.isoformat(), parsed.gender) == (vector["birth_date"], vector["gender"])
        return parsed.value

    assert outcome(check) == expected(vector)


@pytest.mark.parametrize("vector", VECTORS["mobiles"], ids=lambda v: v["note"])
def test_mobiles_follow_the_shared_table(vector):
    assert outcome(lambda: identity.check_mobile(identity.normalise_mobile(vector["input"]))) == expected(vector)


@pytest.mark.parametrize("vector", VECTORS["credit_codes"], ids=lambda v: v["note"])
def test_credit_codes_follow_the_shared_table(vector):
    code = identity.normalise_credit_code(vector["input"])
    assert outcome(lambda: identity.check_credit_code(code)) == expected(vector)


def test_the_table_names_every_message_the_server_gives():
    assert VECTORS["messages"] == identity.MESSAGES
