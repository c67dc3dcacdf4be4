"""JSON responses encoded by orjson: the same JSON as Flask's own provider (keys sorted, the same types handled),
about five times faster to write. A resident's list of twenty requests spent a tenth of its time in json.dumps."""

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
