"""Schema building blocks shared by every domain."""

import marshmallow as ma
from marshmallow import fields, validate


class StrictSchema(ma.Schema):
    """Input schemas reject unknown fields so typos surface as 422, not silent drops."""

    class Meta:
        unknown = ma.RAISE


def Int(**kwargs) -> fields.Integer:  # noqa: N802 - reads like a field class
    """Integers that refuse 2.5 and 2.5e-42 instead of truncating them."""
    return fields.Integer(strict=True, **kwargs)


def QueryInt(**kwargs) -> fields.Integer:  # noqa: N802 - reads like a field class
    """Integers from a query string arrive as text ("2"), which the strict Int refuses; "2.5" is still refused."""
    return fields.Integer(**kwargs)


class PageArgsSchema(StrictSchema):
    page = QueryInt(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = QueryInt(load_default=20, validate=validate.Range(min=1, max=100))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    return type(
        name,
        (ma.Schema,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
    )
