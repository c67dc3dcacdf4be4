"""Query arguments: what a schema makes of a query string is worked out once, and errors every time."""

import marshmallow as ma
import pytest
from werkzeug.exceptions import UnprocessableEntity

from citizen_app.api import QueryArgsParser


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    status = ma.fields.String()


class ListArgs(ma.Schema):
    ids = ma.fields.List(ma.fields.Integer(), load_default=list)


def test_a_query_string_is_parsed_once_and_each_request_gets_its_own_answer(app, monkeypatch):
    parser, schema = QueryArgsParser(), PageArgs()
    loads = []
    real_load = schema.load
    monkeypatch.setattr(schema, "load", lambda *a, **k: loads.append(1) or real_load(*a, **k))
    with app.test_request_context("/x?page=2&status=submitted"):
        first = parser.parse(schema, location="query")
        first["page"] = 99  # a view changing its arguments changes nobody else's
        assert parser.parse(schema, location="query") == {"page": 2, "status": "submitted"}
    assert len(loads) == 1
    with app.test_request_context("/x"):
        assert parser.parse(schema, location="query") == {"page": 1}
    with app.test_request_context("/x?page=3"):
        assert parser.parse(schema, location="query") == {"page": 3}
    assert len(loads) == 3


def test_a_bad_query_string_is_refused_every_time(app):
    parser, schema = QueryArgsParser(), PageArgs()
    for _ in range(2):
        with app.test_request_context("/x?page=0"), pytest.raises(UnprocessableEntity):
            parser.parse(schema, location="query")


def test_answers_holding_lists_and_bodies_are_not_kept(app):
    parser = QueryArgsParser()
    with app.test_request_context("/x?ids=1&ids=2"):
        assert parser.parse(ListArgs(), location="query") == {"ids": [1, 2]}
    with app.test_request_context("/x", method="POST", json={"page": 2}):
        assert parser.parse(PageArgs(), location="json") == {"page": 2}
    assert len(parser._parsed) == 0


def test_through_http_the_list_pages_and_refuses_as_before(client, make_resident, auth_headers):
    resident = make_resident()
    headers = auth_headers(resident)
    for _ in range(2):
        res = client.get("/api/v1/documents/requests?per_page=0", headers=headers)
        assert res.status_code == 422 and res.json["code"] == "validation_error"
    assert client.get("/api/v1/documents/requests?page=2&per_page=5", headers=headers).json["page"] == 2
    assert client.get("/api/v1/documents/requests", headers=headers).json["page"] == 1
