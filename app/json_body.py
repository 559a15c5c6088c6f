"""Request bodies as JSON: whatever a client sends, malformed JSON is a 400, never a 500.

Python's json module accepts what cannot be stored or is too costly to parse: it raises RecursionError
on 30,000 nested brackets (not a ValueError, so Flask and webargs let it through as a 500), ValueError on
an integer longer than 4,300 digits, and it decodes an escaped lone surrogate ("\\ud800") into a string
that fails later, when it is encrypted or written to the database. All three become ValueError here,
which Flask's get_json answers with 400.
"""

import json
import re

from flask.json.provider import DefaultJSONProvider
from webargs import missing
from webargs.flaskparser import FlaskParser

# A \\uD800–\\uDFFF escape: the only way a surrogate gets into a decoded body (raw ones are invalid UTF-8).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads_strictly(text: str | bytes):
    """json.loads that raises ValueError for every malformed body, surrogates and depth included."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
    if SURROGATE_ESCAPE.search(text):
        # Escaped pairs decode to one character; only a lone half is left as a surrogate to trip on.
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # UnicodeEncodeError is a ValueError
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON: request.get_json() (booth taps, /mp/v1 through StrictParser) loads strictly."""

    def loads(self, s, **kwargs):
        return loads_strictly(s)


class StrictParser(FlaskParser):
    """webargs reading /mp/v1 bodies through the app's strict JSON (its own loader lets RecursionError out)."""

    def load_json(self, req, schema):
        if not req.is_json or not req.get_data(cache=True):
            return missing
        return req.get_json()
