"""身份证号, mobile and 统一社会信用代码: how they are normalised and the checks they must pass.

Normalisation runs before validation and before the blind index, so that full-width digits, a lower-case
x or a +86 prefix cannot make one person look like two.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MINIMUM_AGE = 16

# GB 11643-1999: weights of the 17 digits and the check character indexed by (sum mod 11).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
MOBILE_SEPARATORS = re.compile(r"[\s\-()]")

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights of the first 17, check = 31 - sum mod 31.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# One stable code per failure, with the words the worker reads under the field. app/static/identity.js carries
# the same table; tests/vectors/identity.json holds both to it.
MESSAGES = {
    "id_required": "请填写身份证号",
    "id_format": "身份证号应为18位，前17位是数字，最后一位是数字或X",
    "id_checksum": "身份证号校验位不正确，请核对后重新输入",
    "id_birth_date_missing": "身份证号中的出生日期不存在，请核对",
    "id_birth_date_wrong": "身份证号中的出生日期不正确，请核对",
    "id_under_age": f"年满{MINIMUM_AGE}周岁方可申请入会",
    "mobile_required": "请填写手机号",
    "mobile_format": "手机号应为11位，以1开头",
    "credit_code_format": "统一社会信用代码应为18位数字或大写字母",
    "credit_code_checksum": "统一社会信用代码校验位不正确，请核对营业执照",
}


class IdentityError(ValueError):
    """A value that fails its check; the message is shown to the worker next to the field."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


def refused(code: str) -> IdentityError:
    return IdentityError(MESSAGES[code], code)


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # "男" or "女", as the 《工会会员登记表》 writes it


def today_in_beijing() -> date:
    return datetime.now(SHANGHAI).date()


def normalise_text(value: str | None) -> str:
    """NFKC (full-width → ASCII), control characters dropped (PostgreSQL refuses NUL), whitespace stripped."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(char for char in text if unicodedata.category(char) != "Cc").strip()


def normalise_id_number(value: str | None) -> str:
    return re.sub(r"\s", "", normalise_text(value)).upper()


def normalise_mobile(value: str | None) -> str:
    mobile = MOBILE_SEPARATORS.sub("", normalise_text(value))
    for prefix in ("+86", "0086", "86"):
        if mobile.startswith(prefix) and len(mobile) == len(prefix) + 11:
            return mobile[len(prefix):]
    return mobile


def normalise_credit_code(value: str | None) -> str:
    return normalise_text(value).upper()


def id_check_char(first_17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def parse_id_number(value: str, today: date) -> IdNumber:
    """A valid 身份证号 with its birth date and gender, or IdentityError saying what is wrong."""
    if not value:
        raise refused("id_required")
    if not ID_PATTERN.match(value):
        raise refused("id_format")
    if id_check_char(value[:17]) != value[17]:
        raise refused("id_checksum")
    try:
        birth_date = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise refused("id_birth_date_missing") from exc
    if birth_date.year < 1900 or birth_date > today:
        raise refused("id_birth_date_wrong")
    if age_on(birth_date, today) < MINIMUM_AGE:
        raise refused("id_under_age")
    gender = "男" if int(value[16]) % 2 else "女"
    return IdNumber(value, birth_date, gender)


def age_on(birth_date: date, today: date) -> int:
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def check_mobile(value: str) -> str:
    if not value:
        raise refused("mobile_required")
    if not MOBILE_PATTERN.match(value):
        raise refused("mobile_format")
    return value


def credit_code_check_char(first_17: str) -> str:
    values = (CREDIT_CODE_CHARS.index(char) for char in first_17)
    total = sum(value * weight for value, weight in zip(values, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    if len(value) != 18 or any(char not in CREDIT_CODE_CHARS for char in value):
        raise refused("credit_code_format")
    if credit_code_check_char(value[:17]) != value[17]:
        raise refused("credit_code_checksum")
    return value
