"""WeChat calls through wechatpy, with WeChat's failures turned into our stable error codes."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from app.errors import AppError
from app.extensions import wechat

if TYPE_CHECKING:
    from wechatpy.exceptions import WeChatClientException

# WeChat errcode → what we tell the phone or the staff member.
KNOWN_ERRORS = {
    40029: ("wechat_code_invalid", "微信登录凭证无效，请重新进入小程序", 401),
    40163: ("wechat_code_invalid", "微信登录凭证已使用，请重新进入小程序", 401),
    45011: ("wechat_rate_limited", "微信接口调用太频繁，请一分钟后再试", 429),
    45009: ("wechat_quota_exhausted", "今日微信接口调用次数已用完，请明天再试或改用普通二维码", 429),
    41030: ("wechat_invalid_page", "小程序页面路径无效：请确认小程序已发布且页面路径正确", 422),
    40169: ("wechat_invalid_scene", "小程序码参数过长或格式不正确", 422),
    # ID-card OCR: the photo could not be read, or shows no ID card.
    101000: ("id_card_not_found", "照片无法识别，请对准身份证人像面重新拍摄，或直接填写", 422),
    101001: ("id_card_not_found", "照片中没有找到身份证，请对准身份证人像面重新拍摄，或直接填写", 422),
    101002: ("id_card_not_found", "照片无法识别，请对准身份证人像面重新拍摄，或直接填写", 422),
}


@dataclass
class WeChatSession:
    openid: str
    unionid: str | None
    session_key: str


def code_to_session(js_code: str) -> WeChatSession:
    """Exchange a wx.login() code for the user's openid (and session_key, which stays with us)."""
    result = call(lambda client: client.wxa.code_to_session(js_code))
    return WeChatSession(result["openid"], result.get("unionid"), result["session_key"])


def phone_number(code: str) -> str:
    """Exchange a getPhoneNumber code for the user's mobile number (without country code)."""
    result = call(lambda client: client.wxa.get_phone_number(code))
    return result["phone_info"]["purePhoneNumber"]


def wxa_code_png(scene: str, page: str) -> bytes:
    """A mini-program code image opening `page` with `scene` in the configured version (getwxacodeunlimit)."""
    # wechatpy's get_wxa_code_unlimited sends neither env_version nor check_path: posted as WeChat documents it.
    body = {
        "scene": scene, "page": page, "width": 430,
        "env_version": current_app.config["WECHAT_WXACODE_ENV_VERSION"],
        "check_path": current_app.config["WECHAT_WXACODE_CHECK_PATH"],
    }
    return call(lambda client: client.wxa._post("wxa/getwxacodeunlimit", data=body)).content


def ocr_id_card(photo: bytes, mimetype: str) -> dict:
    """WeChat's reading of an ID-card photo: type Front (name, id, ...) or Back (valid_date)."""
    filename = "id-card.png" if mimetype == "image/png" else "id-card.jpg"
    return call(lambda client: client.wxa.ocr_idcard(filename=filename, file_bytes=photo, mime_type=mimetype))


def send_subscribe_message(openid: str, template_id: str, data: dict, page: str | None = None) -> None:
    """Send one subscribe message; raises AppError when WeChat refuses."""
    call(lambda client: client.wxa.send_subscribe_message(openid, template_id, data, page=page))


def call(operation):
    if not wechat.enabled:
        raise AppError("wechat_not_configured", "未配置微信小程序（WECHAT_APPID）", 503)
    # lazy: wechatpy + requests cost each worker ≈ 7 MB; they load only when WECHAT_APPID is set
    import requests
    from wechatpy.exceptions import WeChatClientException

    try:
        return operation(wechat.client)
    except WeChatClientException as exc:
        raise translate(exc) from exc
    except requests.RequestException as exc:
        current_app.logger.warning("WeChat unreachable: %s", exc)
        raise unavailable() from exc


def unavailable() -> AppError:
    return AppError("wechat_unavailable", "微信服务暂时不可用，请稍后再试", 503, retry_after=10)


def translate(exc: "WeChatClientException") -> AppError:
    current_app.logger.warning("WeChat refused: %s %s", exc.errcode, exc.errmsg)
    if exc.errcode not in KNOWN_ERRORS:
        return unavailable()
    code, message, status = KNOWN_ERRORS[exc.errcode]
    return AppError(code, message, status, retry_after=60 if status == 429 else None)
