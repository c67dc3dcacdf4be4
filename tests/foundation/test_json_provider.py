"""The app's JSON responses (orjson) say what Flask's own provider says."""

import json
import math
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask.json.provider import DefaultJSONProvider

from citizen_app.extensions import db
from citizen_app.json_provider import column_dumps, column_loads

VALUES = {
    "text": "Kelurahan Oebobo — ñ ü 漢字 \u2028", "int": 42, "float": 0.1, "none": None, "bool": False,
    "nested": {"b": [1, 2, {"z": 1, "a": 2}], "a": ()},
    "day": date(2026, 12, 4), "moment": datetime(2026, 12, 4, 3, 28, 48, 5, tzinfo=UTC), "naive": datetime(2026, 1, 2),
    "money": Decimal("15000.50"), "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
}


def test_responses_are_the_json_flask_writes(app):
    ours, flasks = app.json, DefaultJSONProvider(app)
    assert type(ours).__name__ == "OrjsonProvider"
    for value in (VALUES, [VALUES, 1], "x", 10**30, {"big": 2**70}, {7: "keys that are no strings", 3: None}):
        expected = flasks.response(value).get_data()
        got = ours.response(value).get_data()
        assert json.loads(got) == json.loads(expected), value
        # byte for byte what Flask writes, but for non-ASCII text left as UTF-8 instead of \u escapes
        assert got == (flasks.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    # keys sorted, as Flask does, so a body is the same bytes whatever order a dict was built in
    assert ours.dumps({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    assert json.loads(ours.dumps(VALUES)) == json.loads(flasks.dumps(VALUES))
    assert ours.dumps({"a": 1}, indent=2) == flasks.dumps({"a": 1}, indent=2)  # options: the standard library


def test_an_api_answer_is_valid_utf8_json(client):
    res = client.get("/api/v1/documents/types")
    assert res.status_code == 200 and res.mimetype == "application/json"
    assert json.loads(res.get_data().decode("utf-8"))["items"]



def test_json_columns_store_and_read_what_the_standard_library_does(app):
    with app.app_context():
        dialect = db.engine.dialect
    assert dialect._json_serializer is column_dumps and dialect._json_deserializer is column_loads
    for value in ({"rt": "001", "nested": [1, 2.5, None, True, {"ñ": "漢字"}]}, [1, "a"], {7: "int key"},
                  {"big": 2**70 + 1}, {"low": -(2**63) - 1}, {"nik": "5371051403850001999"}, "text", None):
        assert json.loads(column_dumps(value)) == json.loads(json.dumps(value)), value
        assert column_loads(column_dumps(value)) == json.loads(json.dumps(value)), value
        assert column_loads(json.dumps(value).encode()) == json.loads(json.dumps(value)), value
        assert json.dumps(column_loads(json.dumps(value))) == json.dumps(value), value  # ints stay ints
    assert math.isnan(column_loads(json.dumps({"x": float("nan")}))["x"])  # what json.dumps wrote stays readable
    for refused in ({"day": date(2026, 12, 4)}, {"moment": datetime(2026, 12, 4, tzinfo=UTC)}, {1, 2}):
        with pytest.raises(TypeError):
            json.dumps(refused)
        with pytest.raises(TypeError):
            column_dumps(refused)
