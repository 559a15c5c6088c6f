"""A local fake of WeChat's HTTP API, answering with WeChat's real JSON shapes and error codes.

Only WeChat is faked (it is outside); our real wechatpy client talks HTTP to this server through
WECHAT_API_BASE_URL. Behaviour is steered by the codes the tests send:
  js_code / phone code "err:<errcode>"  → that WeChat error (40029, 40163, 45011, -1, ...)
  js_code "sleep:<seconds>"             → answer late (for timeouts)
  js_code "<anything else>"             → openid "oid-<code>", a session_key, unionid "uid-<code>"
  phone code "phone:<number>"           → that number; any other code → 13800138000
  wxacode page "pages/invalid"          → 41030 invalid page; scene "quota" → 45009 quota reached
  ID-card photo (JPEG/PNG bytes) ending in a steering mark, see id_card_photo():
    b"ocr:front:<name>:<id>" → that portrait side; b"ocr:back" → the national-emblem side;
    b"ocr:err:<errcode>" / b"ocr:sleep:<seconds>" as above; no mark → 张三 110113199003071239;
    bytes that are no image → 101002
"""

import io
import json
import threading
import time
from dataclasses import dataclass, field

import pytest
from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

APPID = "wx-test-appid"
SECRET = "wx-test-secret"
ERROR_MESSAGES = {
    40029: "invalid code",
    40163: "code been used",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    -1: "system error",
    41030: "invalid page",
    45009: "reach max api daily quota limit",
    40001: "invalid credential, access_token is invalid or not latest",
    40125: "invalid appsecret",
    43101: "user refuse to accept the msg",
    101000: "invalid image url",
    101001: "certificate not found",
    101002: "invalid image",
}
DEFAULT_ID_CARD = ("张三", "110113199003071239")
OCR_MARK = b"ocr:"


def wechat_error(errcode: int) -> dict:
    return {"errcode": errcode, "errmsg": ERROR_MESSAGES.get(errcode, "error")}


class FakeRequest(Request):
    def _get_file_stream(self, *args, **kwargs):
        # In memory, so that a test forbidding temporary files catches only our app spooling a photo.
        return io.BytesIO()


@dataclass
class FakeWeChat:
    """State of the fake: issued tokens and every call it answered, for assertions."""

    url: str = ""
    access_tokens: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict]] = field(default_factory=list)
    subscribe_messages: list[dict] = field(default_factory=list)

    @property
    def settings(self) -> dict:
        return {"WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_API_BASE_URL": self.url}

    def calls_to(self, path: str) -> list[dict]:
        return [params for called, params in self.calls if called == path]

    def __call__(self, environ, start_response):
        request = FakeRequest(environ)
        # wechatpy posts JSON without a JSON content type, as WeChat accepts.
        body = request.get_json(force=True, silent=True) or {}
        self.calls.append((request.path, {**request.args.to_dict(), **body}))
        handler = ROUTES.get(request.path)
        if handler is None:
            return Response("not found", status=404)(environ, start_response)
        needs_token = handler not in (token, jscode2session)
        if needs_token and request.args.get("access_token") not in self.access_tokens:
            return json_response(wechat_error(40001))(environ, start_response)
        return handler(self, request, body)(environ, start_response)


def json_response(payload: dict) -> Response:
    # WeChat answers errors with HTTP 200 and an errcode in the body.
    return Response(json.dumps(payload, ensure_ascii=False), content_type="application/json")


def steered_error(code: str) -> dict | None:
    if code.startswith("err:"):
        return wechat_error(int(code[4:]))
    if code.startswith("sleep:"):
        time.sleep(float(code[6:]))
    return None


def token(fake: FakeWeChat, request: Request, body: dict) -> Response:
    if request.args.get("appid") != APPID or request.args.get("secret") != SECRET:
        return json_response(wechat_error(40125))
    issued = f"token-{len(fake.access_tokens) + 1}"
    fake.access_tokens.append(issued)
    return json_response({"access_token": issued, "expires_in": 7200})


def jscode2session(fake: FakeWeChat, request: Request, body: dict) -> Response:
    code = request.args.get("js_code", "")
    if request.args.get("secret") != SECRET:
        return json_response(wechat_error(40125))
    error = steered_error(code)
    if error:
        return json_response(error)
    return json_response({"openid": f"oid-{code}", "session_key": f"sk-{code}", "unionid": f"uid-{code}"})


def get_phone_number(fake: FakeWeChat, request: Request, body: dict) -> Response:
    code = body.get("code", "")
    error = steered_error(code)
    if error:
        return json_response(error)
    number = code[6:] if code.startswith("phone:") else "13800138000"
    watermark = {"timestamp": int(time.time()), "appid": APPID}
    phone_info = {"phoneNumber": number, "purePhoneNumber": number, "countryCode": "86", "watermark": watermark}
    return json_response({"errcode": 0, "errmsg": "ok", "phone_info": phone_info})


def get_wxa_code_unlimited(fake: FakeWeChat, request: Request, body: dict) -> Response:
    if body.get("page") == "pages/invalid":
        return json_response(wechat_error(41030))
    if body.get("scene") == "quota":
        return json_response(wechat_error(45009))
    image = Image.new("RGB", (int(body.get("width", 430)),) * 2, "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return Response(buffer.getvalue(), content_type="image/png")


def send_subscribe_message(fake: FakeWeChat, request: Request, body: dict) -> Response:
    if str(body.get("touser", "")).startswith("oid-refuse"):
        return json_response(wechat_error(43101))
    fake.subscribe_messages.append(body)
    return json_response({"errcode": 0, "errmsg": "ok", "msgid": len(fake.subscribe_messages)})


def id_card_photo(mark: str = "", image_format: str = "PNG", size: int = 64) -> bytes:
    """A real image whose trailing bytes tell the fake what it shows ("front:王小明:<id>", "back", "err:101001")."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "white").save(buffer, format=image_format)
    return buffer.getvalue() + (OCR_MARK + mark.encode() if mark else b"")


def ocr_idcard(fake: FakeWeChat, request: Request, body: dict) -> Response:
    upload = request.files.get("img")
    photo = upload.read() if upload else b""
    mimetype = upload.mimetype if upload else None
    fake.calls[-1][1].update(type=request.args.get("type"), img_bytes=len(photo), img_mimetype=mimetype)
    if not photo.startswith((b"\xff\xd8\xff", b"\x89PNG")):
        return json_response(wechat_error(101002 if photo else 101000))
    mark = photo.rpartition(OCR_MARK)[2].decode() if OCR_MARK in photo else ""
    error = steered_error(mark)
    if error:
        return json_response(error)
    if mark == "back":
        return json_response({"errcode": 0, "errmsg": "ok", "type": "Back", "valid_date": "20150307-20350307"})
    name, id_number = mark.split(":")[1:3] if mark.startswith("front:") else DEFAULT_ID_CARD
    return json_response({
        "errcode": 0, "errmsg": "ok", "type": "Front", "name": name, "id": id_number,
        "addr": "北京市顺义区仁和镇", "gender": "男", "nationality": "汉",
    })


ROUTES = {
    "/cgi-bin/token": token,
    "/sns/jscode2session": jscode2session,
    "/wxa/business/getuserphonenumber": get_phone_number,
    "/wxa/getwxacodeunlimit": get_wxa_code_unlimited,
    "/cgi-bin/message/subscribe/send": send_subscribe_message,
    "/cv/ocr/idcard": ocr_idcard,
}


@pytest.fixture
def fake_wechat():
    """The fake WeChat server on a free 127.0.0.1 port; use fake_wechat.settings in app_settings."""
    fake = FakeWeChat()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    thread.join(timeout=5)
