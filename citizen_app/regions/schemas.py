import marshmallow as ma
from marshmallow import fields, validate

from citizen_app.common.schemas import QueryInt, StrictSchema


class KecamatanSchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class KelurahanSchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kecamatan_code = fields.String(required=True)
    kecamatan_name = fields.Function(lambda k: k.kecamatan.name)
    postal_code = fields.String(allow_none=True)


class KelurahanArgs(StrictSchema):
    kecamatan = fields.String(validate=validate.Regexp(r"^\d{2}\.\d{2}\.\d{2}$"))
    q = fields.String(validate=validate.Length(max=100))
    page = QueryInt(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = QueryInt(load_default=100, validate=validate.Range(min=1, max=100))


class CitySchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    province = fields.String(allow_none=True)
    region_code = fields.String(required=True)
    timezone = fields.String(required=True)
    kecamatan_count = fields.Integer(required=True)
    kelurahan_count = fields.Integer(required=True)
    branding = fields.Dict(required=True)
    brigade = fields.Dict(allow_none=True)


class HealthSchema(ma.Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)
