"""QR images of a URL as PNG (for print) and SVG (for any size), and the ETag that names each image."""

import hashlib
import io

# The standard's four-module quiet zone; scanners miss codes printed flush against a coloured border.
QUIET_ZONE = 4
# A 12-character code gives a version-4 symbol: 41 modules × 32 px ≈ 1300 px, 11 cm wide at 300 dpi on A4.
PNG_BOX_SIZE = 32

MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}
# Everything that changes the pixels; it is part of the ETag so a new setting never reuses a stale cache.
RENDER_SETTINGS = f"ec=Q;border={QUIET_ZONE};box={PNG_BOX_SIZE};svg=path-fill"


def qr_symbol(data: str, box_size: int = 10, image_factory=None):
    import qrcode  # lazy: qrcode + PIL cost each worker ≈ 4 MB, and only QR images need them

    symbol = qrcode.QRCode(
        # Q recovers ~25% of the symbol: posters get creased, taped over and photographed under glare.
        error_correction=qrcode.constants.ERROR_CORRECT_Q,
        box_size=box_size,
        border=QUIET_ZONE,
        image_factory=image_factory,
    )
    symbol.add_data(data)
    symbol.make(fit=True)
    return symbol


def render_png(data: str) -> bytes:
    """A black-on-white PNG big enough to print a poster from."""
    from qrcode.image.pil import PilImage  # lazy: as in qr_symbol

    buffer = io.BytesIO()
    qr_symbol(data, PNG_BOX_SIZE, PilImage).make_image().save(buffer)
    return buffer.getvalue()


def render_svg(data: str) -> bytes:
    """An SVG with a white background (the quiet zone must stay white on a coloured poster)."""
    from qrcode.image.svg import SvgPathFillImage  # lazy: as in qr_symbol

    return qr_symbol(data, image_factory=SvgPathFillImage).make_image().to_string(encoding="utf-8")


RENDERERS = {"png": render_png, "svg": render_svg}


def render(data: str, image_format: str) -> bytes:
    return RENDERERS[image_format](data)


def image_etag(data: str, image_format: str) -> str:
    """A strong ETag known without rendering: the image is a pure function of these inputs."""
    digest = hashlib.sha256(f"{RENDER_SETTINGS}|{image_format}|{data}".encode()).hexdigest()
    return digest[:32]
