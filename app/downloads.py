"""A download sent as it is written: the workbook leaves a batch of rows at a time (app/services/xlsx.py)."""

import unicodedata
from urllib.parse import quote

from flask import Response, stream_with_context

from app.services.xlsx import ExportFile


def streamed_download(export: ExportFile) -> Response:
    """An attachment with no Content-Length whose body is written while it is sent, through nginx unbuffered."""
    response = Response(stream_with_context(export.chunks), mimetype=export.mimetype)
    response.headers.set("Content-Disposition", "attachment", **filename_options(export.filename))
    # nginx would otherwise gather the file (to disk, past its buffers) before the browser sees a byte.
    response.headers["X-Accel-Buffering"] = "no"
    response.headers["Cache-Control"] = "no-store"  # personal data: no copy in a browser's or proxy's cache
    return response


def filename_options(filename: str) -> dict[str, str]:
    """The Chinese filename as RFC 5987's filename*, with an ASCII fallback for old clients (as send_file does)."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        return {"filename": fallback, "filename*": f"UTF-8''{quote(filename, safe='!#$&+^`|~')}"}
    return {"filename": filename}
