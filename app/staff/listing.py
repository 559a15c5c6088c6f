"""What every paged list reads from its URL: where the reader stands (the filters are each page's own)."""

from flask import request

from app.services.paging import PageRequest


def requested_page() -> PageRequest:
    return PageRequest(after=request.args.get("after") or None, before=request.args.get("before") or None)
