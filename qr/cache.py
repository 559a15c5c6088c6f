"""An in-process LRU of rendered QR images, counting renders so tests and the bench can see misses."""

import threading
from collections import OrderedDict

from qr.render import render


class ImageCache:
    """Rendered images by (format, data); a code's image never changes, so entries never go stale."""

    def __init__(self, max_items: int = 4096):
        self.max_items = max_items
        self.images: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.renders = 0
        # Threads (werkzeug) and greenlets (gunicorn gevent) share one cache per process.
        self.lock = threading.Lock()

    def get(self, data: str, image_format: str) -> bytes:
        key = (image_format, data)
        with self.lock:
            if key in self.images:
                self.images.move_to_end(key)
                return self.images[key]
        image = render(data, image_format)
        with self.lock:
            self.renders += 1
            self.images[key] = image
            while len(self.images) > self.max_items:
                self.images.popitem(last=False)
        return image

    def clear(self) -> None:
        with self.lock:
            self.images.clear()
