"""Entry-code URLs, QR images and poster sheets: a pure library (no Flask, no database)."""
