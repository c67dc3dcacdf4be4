import unicodedata

import marshmallow as ma
from marshmallow import fields, validate

from citizen_app.common.schemas import Int, PageArgsSchema, StrictSchema
from citizen_app.permits.search import MAX_QUERY_CHARS

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_FEE = 10**13


def no_control_characters(value: str) -> None:
    # NUL and friends can't be stored in PostgreSQL text and have no business in a permit; lone surrogates can't
    # even be encoded. Tabs and line breaks are harmless (whitespace is tidied on save).
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in value):
        raise ma.ValidationError("Must not contain control characters.")


def _text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=max_length), no_control_characters], **kwargs)


def _plain(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(max=max_length), no_control_characters], **kwargs)


def _texts(max_length: int, max_items: int, **kwargs) -> fields.List:
    return fields.List(_text(max_length), validate=validate.Length(max=max_items), **kwargs)


class FeeSchema(ma.Schema):
    amount = fields.Integer(allow_none=True, metadata={"description": "rupiah; 0 = free; null = set by a tariff"})
    note = fields.String()
    kind = fields.String(metadata={"description": "free | fixed | tariff (the note says how it is set)"})


class RequirementSchema(ma.Schema):
    text = fields.String(required=True)
    mandatory = fields.Boolean(required=True)


class PermitSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    aliases = fields.List(fields.String())
    old_names = fields.List(fields.String(), metadata={"description": "former names (IMB, SIUP, TDP, …)"})
    sector = fields.String()
    authority = fields.String()
    channel = fields.String(metadata={"description": "where to apply: OSS-RBA, SIMBG, office counter, …"})
    requirements = fields.List(fields.Nested(RequirementSchema))
    procedure = fields.List(fields.String())
    sla_working_days = fields.Integer(allow_none=True)
    fee = fields.Nested(FeeSchema)
    output = fields.String()
    validity = fields.String()
    legal_basis = fields.List(fields.String())
    status = fields.String(metadata={"description": "active | retired (only permit admins see retired ones)"})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    retired_at = fields.DateTime(allow_none=True)


class PermitResultSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    sector = fields.String()
    output = fields.String()
    channel = fields.String()
    sla_working_days = fields.Integer(allow_none=True)
    fee = fields.Nested(FeeSchema)
    updated_at = fields.String()
    matched = fields.String(allow_none=True, metadata={"description": "the name or alias that matched the query"})
    matched_field = fields.String(allow_none=True, metadata={"description": "name|alias|old_name|output|sector"})
    score = fields.Float(allow_none=True, metadata={"description": "relevance, higher is better; null when listing"})


class SectorSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)


class SectorListSchema(ma.Schema):
    items = fields.List(fields.Nested(SectorSchema), required=True)




class PermitSearchArgs(PageArgsSchema):
    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY_CHARS))
    sector = fields.String(validate=validate.Length(max=120), metadata={"description": "sector slug or name"})


class RequirementInputSchema(StrictSchema):
    text = _text(1000, required=True)
    mandatory = fields.Boolean(load_default=True)


class FeeInputSchema(StrictSchema):
    amount = Int(allow_none=True, load_default=None, validate=validate.Range(min=0, max=MAX_FEE))
    note = _plain(500, load_default="")


class PermitContentSchema(StrictSchema):
    name = _text(300)
    aliases = _texts(200, 60)
    old_names = _texts(200, 30)
    sector = _text(120)
    authority = _plain(300)
    channel = _plain(300)
    requirements = fields.List(fields.Nested(RequirementInputSchema), validate=validate.Length(max=100))
    procedure = _texts(1000, 50)
    sla_working_days = Int(allow_none=True, validate=validate.Range(min=0, max=3650))
    fee = fields.Nested(FeeInputSchema)
    output = _plain(300)
    validity = _plain(300)
    legal_basis = _texts(500, 30)


class CreatePermitSchema(PermitContentSchema):
    slug = fields.String(required=True, validate=[validate.Length(min=2, max=80), validate.Regexp(SLUG_PATTERN)])
    name = _text(300, required=True)
    sector = _text(120, required=True)


class UpdatePermitSchema(PermitContentSchema):
    """Fields left out stay as they are."""

    expected_version = Int(validate=validate.Range(min=1),
                           metadata={"description": "refuse (409) if someone saved another version meanwhile"})


class ActorSchema(ma.Schema):
    id = fields.Integer()
    full_name = fields.String()
    role = fields.String()


class PermitVersionSchema(ma.Schema):
    version = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"description": "created | updated | retired | restored"})
    source = fields.String(required=True, metadata={"description": "admin | pack (the city pack loader)"})
    actor = fields.Nested(ActorSchema, allow_none=True)
    changed_at = fields.DateTime(attribute="created_at")
    changes = fields.Dict(metadata={"description": "{field: {from, to}}"})


class HistoryArgs(PageArgsSchema):
    pass


class CatalogItemSchema(PermitSchema):
    class Meta:
        exclude = ("status", "retired_at", "created_at")


class CatalogSchema(ma.Schema):
    city = fields.String()
    count = fields.Integer()
    updated_at = fields.String(allow_none=True)
    search = fields.Dict(metadata={"description": "the ranking's constants (see citizen_app/permits/search.py)"})
    sectors = fields.List(fields.Nested(SectorSchema))
    items = fields.List(fields.Nested(CatalogItemSchema))
