"""Every page carries the security headers of docs/security.md, and no template needs inline script."""

import re
from pathlib import Path

import pytest

from app import create_app
from app.services.setup import entry_codes
from tests.test_config import PRODUCTION_ENV

HSTS = "Strict-Transport-Security"
TEMPLATES = sorted(Path(__file__).resolve().parent.parent.joinpath("app").rglob("templates/**/*.html"))
# What a Content-Security-Policy without 'unsafe-inline' would block.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|\sstyle\s*=", re.IGNORECASE)


def staff_pages(seeded) -> list[str]:
    venue_id = seeded.meeting.venues[0].id
    return ["/meetings", f"/meetings/{seeded.meeting.id}", f"/venues/{venue_id}/posters", "/review"]


def assert_security_headers(response, referrer_policy: str = "same-origin") -> None:
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == referrer_policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_carries_inline_script_handlers_or_styles(template):
    assert INLINE_SCRIPT.findall(template.read_text()) == []


def test_staff_pages_carry_the_content_security_policy(staff_login, seeded):
    renhe = staff_login("renhe")
    for url in ["/login", *staff_pages(seeded)]:
        response = renhe.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_the_h5_join_page_carries_the_content_security_policy(client, seeded):
    code = entry_codes.active_codes(seeded.meeting)[0].code

    assert_security_headers(client.get(f"/q/{code}"))


def test_the_display_page_sends_no_referrer_since_its_url_is_the_secret(client, seeded):
    response = client.get(f"/display/{seeded.display_token}")

    assert response.status_code == 200
    assert_security_headers(response, referrer_policy="no-referrer")


def test_browsers_are_told_to_stay_on_https_in_production_only(client, monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    # Limits in memory: the shared limiter must not be left pointing at PRODUCTION_ENV's unreachable Redis.
    production = create_app({"APP_ENV": "production", "RATELIMIT_STORAGE_URI": "memory://"}).test_client()

    assert "max-age=" in production.get("/login", base_url="https://join.example.org").headers[HSTS]
    assert HSTS not in client.get("/login", base_url="https://localhost").headers
