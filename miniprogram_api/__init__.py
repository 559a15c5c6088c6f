"""The /mp/v1 JSON API the WeChat mini-program and the H5 page call: thin transport over app.services."""

from flask import Flask
from flask_smorest import Api, Blueprint

from app.extensions import csrf
from app.json_body import StrictParser
from app.services.intake import submission_limits
from miniprogram_api.schemas import ErrorSchema

blp = Blueprint(
    "mp", __name__, url_prefix="/mp/v1", description="职工扫码入会、互助服务卡申请（微信小程序与 H5 页面共用）"
)
blp.ARGUMENTS_PARSER = StrictParser()  # before the views' @blp.arguments: a malformed body is a 400


class MiniProgramApi(Api):
    """flask-smorest's Api documenting (and answering with) our one error shape."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # app/errors.py renders every HTTPException in the shape of SPEC §8; smorest's own handler
        # would answer {"code": 422, "status": ...} for the whole app, the staff pages included.
        pass


def init_app(app: Flask) -> None:
    """Register /mp/v1 and its generated OpenAPI document at /mp/v1/openapi.json."""
    app.config.setdefault("OPENAPI_URL_PREFIX", "/mp/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = MiniProgramApi(
        app, spec_kwargs={"title": "union-intake mini-program API", "version": "v1", "openapi_version": "3.0.3"}
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    # Bearer tokens, not cookies, authenticate these calls: CSRF cannot ride on them.
    csrf.exempt(blp)
    api.register_blueprint(blp)
    submission_limits.init_app(app)
    app.extensions["mp_api"] = api


from miniprogram_api import views  # noqa: E402,F401  (endpoints register on blp)
