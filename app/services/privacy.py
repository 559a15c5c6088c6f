"""PII at rest (Fernet), the blind index for uniqueness, and the masks shown in every list."""

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    return Fernet(current_app.config["PII_KEY"].encode())


def encrypt(plaintext: str | None) -> bytes | None:
    if plaintext is None:
        return None
    return _fernet().encrypt(plaintext.encode())


def decrypt(ciphertext: bytes | None) -> str | None:
    if ciphertext is None:
        return None
    try:
        return _fernet().decrypt(bytes(ciphertext)).decode()
    except InvalidToken:
        # A row written under a rotated-away key: show nothing rather than fail the whole list.
        current_app.logger.error("PII ciphertext could not be decrypted with the current PII_KEY")
        return None


def blind_index(id_number: str) -> str:
    """HMAC of the normalised ID number: equal for one person, useless without the key."""
    key = current_app.config["PII_HMAC_KEY"].encode()
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_id_number(id_number: str | None) -> str:
    if not id_number:
        return ""
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    return mobile[:3] + "****" + mobile[-4:]


@dataclass
class Identity:
    """An applicant's name, ID number and mobile, either masked (every list) or in full (audited reveal)."""

    name: str
    id_number: str
    mobile: str


def identity_of(record, full: bool = False) -> Identity:
    """Decrypt a record's name_enc/id_number_enc/mobile_enc; masked unless full is asked for."""
    name, id_number, mobile = (decrypt(record.name_enc), decrypt(record.id_number_enc), decrypt(record.mobile_enc))
    if full:
        return Identity(name or "", id_number or "", mobile or "")
    return Identity(mask_name(name), mask_id_number(id_number), mask_mobile(mobile))
