"""flask-smorest Api with the contract's error shape and bearer auth documented."""

from datetime import date, datetime

import marshmallow as ma
from flask import request
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.core import _UNKNOWN_DEFAULT_PARAM
from webargs.flaskparser import FlaskParser

from citizen_app.common.memory import Kept


class ErrorSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "validation_error"})
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    message = ma.fields.String(required=True)
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw())


class CitizenApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.spec.components.security_scheme(
            "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        )

    def handle_http_exception(self, error):
        from citizen_app.errors import handle_http_exception

        return handle_http_exception(error)


_SCALARS = (str, int, float, bool, type(None), date, datetime)


class QueryArgsParser(FlaskParser):
    """webargs' parser, but what a schema makes of a query string is worked out once per query string.

    Most requests for a list send the same few query strings (none, `page=2`, a common search), and parsing one
    through marshmallow was a tenth of a resident's request list. Only query arguments are kept (a body is
    different every time), only answers that are flat and immutable (each request gets its own copy of the dict),
    and never an error: a bad query string is parsed, and refused, every time."""

    SIZE = 1024  # query strings per schema and parser

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._parsed = Kept(self.SIZE)

    def parse(self, argmap, req=None, *, location=None, unknown=_UNKNOWN_DEFAULT_PARAM, validate=None, **kwargs):
        if location != "query" or validate is not None or not isinstance(argmap, ma.Schema) or req is not None:
            return super().parse(argmap, req, location=location, unknown=unknown, validate=validate, **kwargs)
        key = (argmap, unknown, request.query_string)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = super().parse(argmap, location=location, unknown=unknown, **kwargs)
            if not isinstance(parsed, dict) or not all(isinstance(v, _SCALARS) for v in parsed.values()):
                return parsed
            self._parsed.put(key, parsed)
        return dict(parsed)


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint, but an arguments schema given as a class is instantiated once, here, and query
    arguments are parsed by QueryArgsParser.

    webargs instantiates a schema class on every request it parses (a deep copy of every field); the schemas are
    stateless, so one instance serves every request and the documentation is the same."""

    ARGUMENTS_PARSER = QueryArgsParser()

    def arguments(self, schema, **kwargs):
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)
