"""JSON responses and JSON columns encoded by orjson, through Flask's and SQLAlchemy's documented hooks (a JSON
provider; the engine's json_serializer and json_deserializer). Invariant: the JSON is the same as the standard
library's (Flask's provider: keys sorted, dates as Flask writes them); what orjson can't write or read exactly
goes to the standard library (tests/foundation/test_json_provider.py)."""

import json
import re

import orjson
from flask.json.provider import DefaultJSONProvider

# Dates and datetimes go to Flask's `default` (RFC 822, as Flask writes them), not orjson's own ISO format; dict
# keys that are not strings are written as strings, as json.dumps does.
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class OrjsonProvider(DefaultJSONProvider):
    def _encode(self, obj) -> bytes | None:
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return None  # what orjson can't write (an integer past 64 bits): the standard library writes it

    def dumps(self, obj, **kwargs) -> str:
        encoded = None if kwargs else self._encode(obj)
        return encoded.decode() if encoded is not None else super().dumps(obj, **kwargs)

    def response(self, *args, **kwargs):
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)  # indented, for reading in development
        encoded = self._encode(self._prepare_response_obj(args, kwargs))
        if encoded is None:
            return super().response(*args, **kwargs)
        return self._app.response_class(encoded + b"\n", mimetype=self.mimetype)


# JSON columns: what json.dumps and json.loads would store and read. What json.dumps refuses (a date, a set) is
# still refused, but for a UUID, which orjson writes as its text; integers past 64 bits go to json.dumps.
_COLUMN_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value):
    raise TypeError


def column_dumps(value) -> str:
    try:
        return orjson.dumps(value, default=_refuse, option=_COLUMN_OPTIONS).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value)


# orjson reads an integer that doesn't fit 64 bits as a float; json.loads keeps it exact. Nineteen digits in a
# row (anywhere, a string's too) send the text to json.loads.
_LONG_DIGITS = re.compile(r"\d{19}")
_LONG_DIGITS_BYTES = re.compile(rb"\d{19}")


def column_loads(text: str | bytes):
    if (_LONG_DIGITS_BYTES if isinstance(text, bytes) else _LONG_DIGITS).search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # NaN and Infinity, which json.dumps writes and orjson doesn't read
    return json.loads(text)
