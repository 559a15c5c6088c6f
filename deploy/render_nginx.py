"""Render deploy/nginx/union-intake.conf.in into a site file for Debian's nginx (the tests render it too).

    python deploy/render_nginx.py --app 10.0.0.11:8000 --app 10.0.0.12:8000 --server-name join.example.org \\
        --certificate /etc/ssl/certs/join.pem --certificate-key /etc/ssl/private/join.key \\
        --static-root /srv/union-intake/app/static > /etc/nginx/sites-available/union-intake
"""

import argparse
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "union-intake.conf.in"
# A host that failed is left alone for FAIL_TIMEOUT_SECONDS, then tried again; a rolling restart waits that
# long after a host is back before stopping the next, or nginx would see no host up (deploy/README.md).
FAIL_TIMEOUT_SECONDS = 5
# The site's own access log, paths masked (Debian's logrotate rotates every /var/log/nginx/*.log).
ACCESS_LOG = "/var/log/nginx/union-intake.access.log"
ERROR_LOG = "/var/log/nginx/error.log"  # Debian's, where the locations holding a secret write only critical lines
APP_SERVER_LINE = "    server {address} max_fails=1 fail_timeout={fail_timeout}s;"


def render(apps: list[str], server_name: str, certificate: str, certificate_key: str, static_root: str,
           https_port: str = "443", http_port: str = "80", access_log: str = ACCESS_LOG,
           error_log: str = ERROR_LOG) -> str:
    """The site file for these app hosts; every @NAME@ of the template filled."""
    values = {
        "APP_SERVERS": "\n".join(APP_SERVER_LINE.format(address=a, fail_timeout=FAIL_TIMEOUT_SECONDS) for a in apps),
        "SERVER_NAME": server_name,
        "CERTIFICATE": certificate,
        "CERTIFICATE_KEY": certificate_key,
        "STATIC_ROOT": static_root.rstrip("/"),
        "HTTPS_PORT": https_port,
        "HTTP_PORT": http_port,
        "ACCESS_LOG": access_log,
        "ERROR_LOG": error_log,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", action="append", required=True, help="host:port of a gunicorn (repeat per host)")
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--certificate-key", required=True)
    parser.add_argument("--static-root", required=True, help="the checkout's app/static directory")
    parser.add_argument("--https-port", default="443")
    parser.add_argument("--http-port", default="80")
    parser.add_argument("--access-log", default=ACCESS_LOG)
    parser.add_argument("--error-log", default=ERROR_LOG)
    args = parser.parse_args()
    sys.stdout.write(render(args.app, args.server_name, args.certificate, args.certificate_key, args.static_root,
                            args.https_port, args.http_port, args.access_log, args.error_log))


if __name__ == "__main__":
    main()
