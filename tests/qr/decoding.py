"""Decode QR codes from image bytes with zxing-cpp, as a phone would."""

import io

import zxingcpp
from PIL import Image


def decode_all(image_bytes: bytes) -> list[str]:
    image = Image.open(io.BytesIO(image_bytes)).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def decode_one(image_bytes: bytes) -> str:
    texts = decode_all(image_bytes)
    assert len(texts) == 1, f"expected one QR code, found {len(texts)}"
    return texts[0]
