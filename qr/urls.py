"""The URL a printed QR points at: one place so the poster, the ZIP and the tests agree."""

from urllib.parse import quote


def entry_url(public_base_url: str, code: str) -> str:
    """`{PUBLIC_BASE_URL}/q/<code>` — WeChat opens the mini-program from it, a phone camera the H5 page."""
    return f"{public_base_url.rstrip('/')}/q/{quote(code, safe='')}"
