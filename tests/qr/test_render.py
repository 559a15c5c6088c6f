import io

import pytest
import zxingcpp
from PIL import Image

from qr.render import PNG_BOX_SIZE, QUIET_ZONE, image_etag, render_png, render_svg
from tests.qr.decoding import decode_one

URL = "https://ghzx.example.cn/q/Ab-_9xYz0123"


def test_the_png_decodes_to_exactly_the_url():
    assert decode_one(render_png(URL)) == URL


def test_the_png_uses_error_correction_q():
    image = Image.open(io.BytesIO(render_png(URL))).convert("L")
    [result] = zxingcpp.read_barcodes(image)
    assert result.ec_level == "Q"


def test_the_png_is_big_enough_to_print_on_a4():
    width, height = Image.open(io.BytesIO(render_png(URL))).size
    assert width == height >= 1000


def test_the_png_keeps_a_white_quiet_zone_of_four_modules():
    image = Image.open(io.BytesIO(render_png(URL))).convert("L")
    margin = QUIET_ZONE * PNG_BOX_SIZE
    for band in [(0, 0, margin, image.height), (0, 0, image.width, margin)]:
        assert image.crop(band).getextrema() == (255, 255)
    # The finder pattern's corner module starts right after the quiet zone.
    assert image.getpixel((margin, margin)) == 0


def test_the_svg_has_a_white_background_and_a_square_viewbox():
    svg = render_svg(URL).decode()
    assert svg.startswith("<svg") and 'viewBox="0 0 41 41"' in svg
    assert 'fill="white"' in svg


def test_the_etag_is_stable_and_differs_by_format_and_url():
    assert image_etag(URL, "png") == image_etag(URL, "png")
    assert image_etag(URL, "png") != image_etag(URL, "svg")
    assert image_etag(URL, "png") != image_etag(URL + "x", "png")


@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_the_same_url_renders_the_same_bytes(image_format):
    render = render_png if image_format == "png" else render_svg
    assert render(URL) == render(URL)
