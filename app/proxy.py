"""The real client address behind the TLS proxy (nginx, deploy/): werkzeug's ProxyFix, for trusted peers only.

ProxyFix believes the last PROXY_COUNT entries of X-Forwarded-For whoever sent them, so a client reaching
gunicorn directly could name any address and slip out of its rate-limit bucket or into someone else's. The
headers are therefore honoured only when the connection comes from FORWARDED_ALLOW_IPS — the same list
gunicorn reads to trust X-Forwarded-Proto — and otherwise the peer's own address stands.
"""

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import ConfigError


class TrustedProxyFix:
    """WSGI middleware: ProxyFix(x_for=count, x_proto=count) when REMOTE_ADDR is a trusted proxy."""

    def __init__(self, wsgi_app, proxy_count: int, allowed: str):
        self.wsgi_app = wsgi_app
        self.behind_proxy = ProxyFix(wsgi_app, x_for=proxy_count, x_proto=proxy_count)
        self.trust_everyone = allowed.strip() == "*"
        self.networks = [ipaddress.ip_network(item.strip(), strict=False) for item in allowed.split(",")
                         if item.strip() and item.strip() != "*"]

    def __call__(self, environ, start_response):
        if self.is_trusted(environ.get("REMOTE_ADDR", "")):
            return self.behind_proxy(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def is_trusted(self, peer: str) -> bool:
        if self.trust_everyone:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False  # not an IP peer (e.g. a test client without an address): nothing to trust
        return any(address in network for network in self.networks)


def install(app) -> None:
    """Wrap the app when PROXY_COUNT says requests arrive through that many proxies."""
    if app.config["PROXY_COUNT"] <= 0:
        return
    try:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["PROXY_COUNT"], app.config["FORWARDED_ALLOW_IPS"])
    except ValueError as exc:
        raise ConfigError(f"FORWARDED_ALLOW_IPS must list IP addresses or networks (or *): {exc}") from exc
