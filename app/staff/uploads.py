"""Views that take an uploaded .xlsx sheet, previewed before it is confirmed."""

from functools import wraps

from flask import request
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from app.errors import AppError
from app.extensions import csrf
from app.services import sheets


def accepts_sheet(view):
    """Up to 5 MB for this view (the global cap is 64 KB), and its CSRF token checked once that is raised."""

    @wraps(view)
    def checked(*args, **kwargs):
        request.max_content_length = sheets.UPLOAD_MAX_BYTES
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
            except ValidationError as exc:
                raise AppError("csrf_failed", "页面已过期，请刷新后重试", 400) from exc
        return view(*args, **kwargs)

    # The global check would parse the body under the 64 KB cap before this view could raise it.
    return csrf.exempt(checked)


def uploaded_sheet() -> bytes:
    """The sheet of this request: a file just chosen, or the one its preview carried back to be confirmed."""
    if request.form.get("sheet"):
        return sheets.uncarried(request.form["sheet"])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise AppError("file_required", "请选择要导入的 Excel 文件", 422, {"file": "请选择文件"})
    return upload.read()


def confirmed() -> bool:
    """The preview's 确认导入 button was pressed (a first upload only previews)."""
    return request.form.get("confirm") == "1"
