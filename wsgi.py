"""Entry point for gunicorn and `flask --app wsgi`."""

import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # A deploy with a missing secret should say which one, not print a traceback.
    sys.exit(f"union-intake cannot start: {error}")
