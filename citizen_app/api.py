"""flask-smorest Api with the contract's error shape and bearer auth documented."""

import marshmallow as ma
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint

from citizen_app.errors import handle_http_exception


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
        return handle_http_exception(error)


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint; every domain's routes use this one name."""
