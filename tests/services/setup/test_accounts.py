"""Staff sign-in: an unknown username costs the same password-hash work as a known one (no timing oracle)."""

import hashlib

import pytest

from app.services.setup import accounts


@pytest.fixture
def key_derivations(monkeypatch):
    """Counts the password-hash computations (werkzeug's scrypt) made while the test runs."""
    calls = []
    real_scrypt = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real_scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


@pytest.mark.parametrize("username", ["district", "no-such-user"])
def test_a_wrong_password_costs_one_hash_whether_or_not_the_username_exists(seeded, key_derivations, username):
    accounts.authenticate("warm-up", "any")  # a process makes its stand-in hash once, at its first login
    key_derivations.clear()

    assert accounts.authenticate(username, "wrong-password") is None
    assert len(key_derivations) == 1
