import marshmallow as ma
from marshmallow import fields


class CellField(fields.Raw):
    """A count, or "<5" where the count is too small to publish."""


class DocumentStatsRow(ma.Schema):
    month = fields.String(required=True)
    kelurahan_code = fields.String(required=True)
    kelurahan_name = fields.String(required=True)
    requested = CellField(required=True)
    signed = CellField(required=True)
    rejected = CellField(required=True)
    median_hours_to_sign = fields.Float(allow_none=True)
    p90_hours_to_sign = fields.Float(allow_none=True)
    share_outside_home = fields.Float(allow_none=True)


class PermitStatsRow(ma.Schema):
    sector = fields.String(required=True)
    permits = fields.Integer(required=True)
    free = fields.Integer(required=True)
    paid = fields.Integer(required=True)
    tariff_by_rule = fields.Integer(required=True)
    avg_sla_working_days = fields.Float(allow_none=True)
    max_sla_working_days = fields.Integer(allow_none=True)


def stats_envelope(row_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    return type(name, (ma.Schema,), {
        "generated_at": fields.String(required=True),
        "from": fields.String(allow_none=True),
        "to": fields.String(allow_none=True),
        "items": fields.List(fields.Nested(row_schema), required=True),
    })
