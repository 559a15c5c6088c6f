"""The app's Request class: uploads are kept in memory, never spooled to a temporary file."""

import io

from flask import Request


class InMemoryUploadRequest(Request):
    """werkzeug writes an upload over 500 KB to a temporary file; an ID-card photo or a spreadsheet of members
    is personal information that must not touch disk. max_content_length (64 KB, or a view's own) bounds memory."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()
