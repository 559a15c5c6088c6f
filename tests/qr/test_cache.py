from qr.cache import ImageCache
from tests.qr.decoding import decode_one

URL = "https://ghzx.example.cn/q/Ab-_9xYz0123"


def test_a_second_request_for_the_same_image_does_not_render_again():
    cache = ImageCache()
    first = cache.get(URL, "png")
    assert cache.get(URL, "png") is first
    assert cache.renders == 1
    assert decode_one(first) == URL


def test_png_and_svg_are_cached_separately():
    cache = ImageCache()
    cache.get(URL, "png")
    cache.get(URL, "svg")
    assert cache.renders == 2


def test_the_least_recently_used_image_is_dropped_when_full():
    cache = ImageCache(max_items=2)
    cache.get(URL + "1", "svg")
    cache.get(URL + "2", "svg")
    cache.get(URL + "1", "svg")
    cache.get(URL + "3", "svg")
    cache.get(URL + "1", "svg")
    assert cache.renders == 3
    cache.get(URL + "2", "svg")
    assert cache.renders == 4
