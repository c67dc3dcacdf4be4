import marshmallow as ma
from marshmallow import fields as mf
from marshmallow import validate

from citizen_app.common.schemas import Int, PageArgsSchema, StrictSchema, page_schema
from citizen_app.documents.models import ACTIONS, REQUEST_STATUSES

MAX_QR_TEXT = 4096


class FieldSpecSchema(ma.Schema):
    name = mf.String()
    label = mf.String()
    type = mf.String(metadata={"description": "string, text, integer or date (YYYY-MM-DD)"})
    required = mf.Boolean()


class LetterTypeSchema(ma.Schema):
    code = mf.String()
    name = mf.String()
    description = mf.String()
    classification = mf.String()
    type_fields = mf.List(mf.Nested(FieldSpecSchema), data_key="fields", attribute="fields")
    requirements = mf.List(mf.String())
    validity_days = mf.Integer()
    any_kelurahan = mf.Boolean()


LetterTypePageSchema = page_schema(LetterTypeSchema, "LetterTypePage")


class CatalogueArgsSchema(PageArgsSchema):
    per_page = Int(load_default=100, validate=validate.Range(min=1, max=100))


class CreateRequestSchema(StrictSchema):
    type_code = mf.String(required=True, validate=validate.Length(min=1, max=40))
    service_kelurahan_code = mf.String(required=True, validate=validate.Length(min=1, max=13))
    purpose = mf.String(required=True, validate=validate.Length(min=3, max=500))
    values = mf.Dict(keys=mf.String(validate=validate.Length(max=60)), values=mf.Raw(allow_none=True),
                     data_key="fields", attribute="fields", load_default=dict,
                     metadata={"description": "the type's own fields, by name"})


class ActionSchema(StrictSchema):
    action = mf.String(required=True, validate=validate.OneOf(ACTIONS))
    note = mf.String(allow_none=True, validate=validate.Length(max=1000))
    values = mf.Dict(keys=mf.String(validate=validate.Length(max=60)), values=mf.Raw(allow_none=True),
                     data_key="fields", attribute="fields",
                     metadata={"description": "resubmit only: corrected type fields"})
    purpose = mf.String(validate=validate.Length(min=3, max=500), metadata={"description": "resubmit only"})


class RequestListArgsSchema(PageArgsSchema):
    status = mf.String(validate=validate.OneOf(REQUEST_STATUSES))


class LetterSchema(ma.Schema):
    number = mf.String()
    status = mf.Function(lambda letter: letter.state(), metadata={"description": "valid, revoked or expired"})
    issued_at = mf.DateTime()
    valid_until = mf.DateTime()
    issuing_kelurahan_code = mf.String()
    holder_name_masked = mf.String()
    signer_name = mf.String()
    signer_title = mf.String()
    signer_nip = mf.String(allow_none=True)
    revoked_at = mf.DateTime(allow_none=True)
    revoke_reason = mf.String(allow_none=True)
    qr_text = mf.String()


class HistorySchema(ma.Schema):
    action = mf.String()
    from_status = mf.String(allow_none=True)
    to_status = mf.String()
    actor_id = mf.Integer(allow_none=True)
    actor_role = mf.String(allow_none=True)
    actor_name = mf.String(allow_none=True)
    note = mf.String(allow_none=True)
    created_at = mf.DateTime()


class AttachmentSchema(ma.Schema):
    id = mf.Integer()
    original_name = mf.String()
    content_type = mf.String()
    size = mf.Integer()
    uploaded_by = mf.Integer()
    created_at = mf.DateTime()


class RequestSchema(ma.Schema):
    id = mf.Integer()
    tracking_code = mf.String()
    type_code = mf.String()
    type_name = mf.Function(lambda req: req.letter_type.name)
    status = mf.String()
    purpose = mf.String()
    resident_id = mf.Integer()
    home_kelurahan_code = mf.String(allow_none=True)
    service_kelurahan_code = mf.String()
    service_kelurahan_name = mf.Function(lambda req: req.service_kelurahan.name)
    created_at = mf.DateTime()
    updated_at = mf.DateTime()
    letter = mf.Nested(LetterSchema, allow_none=True)


RequestPageSchema = page_schema(RequestSchema, "LetterRequestPage")


class RequestDetailSchema(RequestSchema):
    values = mf.Dict(data_key="fields", attribute="fields")
    identity = mf.Function(lambda req: getattr(req, "identity_view", None),
                               metadata={"description": "the identity block as printed; NIK whole only for the "
                                                        "owner and the serving kelurahan's staff"})
    history = mf.List(mf.Nested(HistorySchema))
    attachments = mf.List(mf.Nested(AttachmentSchema))


class VerifyLetterSchema(StrictSchema):
    qr = mf.String(required=True, validate=validate.Length(min=1, max=MAX_QR_TEXT),
                       metadata={"description": "the text read from the QR (the whole URL or just the token)"})


class VerifiedDocumentSchema(ma.Schema):
    type_code = mf.String()
    type_name = mf.String()
    number = mf.String()
    issued_at = mf.DateTime()
    valid_until = mf.DateTime()
    issuing_kelurahan = mf.String()
    issuing_kelurahan_code = mf.String()
    holder_name_masked = mf.String()
    signer_name = mf.String()
    signer_title = mf.String()
    revoked_at = mf.DateTime(allow_none=True)


class LetterVerificationSchema(ma.Schema):
    result = mf.String(metadata={"description": "valid, revoked, expired or invalid"})
    document = mf.Nested(VerifiedDocumentSchema)


class TrustKeySchema(ma.Schema):
    kid = mf.String()
    kty = mf.String()
    crv = mf.String()
    alg = mf.String()
    use = mf.String()
    x = mf.String()
    y = mf.String()
    not_before = mf.String()
    not_after = mf.String(allow_none=True)
    letters_valid_until = mf.String(allow_none=True)
    status = mf.String()


class TrustListSchema(ma.Schema):
    issuer = mf.String()
    generated_at = mf.String()
    keys = mf.List(mf.Nested(TrustKeySchema))
    letter_types = mf.Dict(keys=mf.String(), values=mf.String())
    kelurahan = mf.Dict(keys=mf.String(), values=mf.String())


class RevocationSchema(ma.Schema):
    cti = mf.String()
    revoked_at = mf.String()


class RevocationListSchema(ma.Schema):
    version = mf.Integer()
    generated_at = mf.String()
    items = mf.List(mf.Nested(RevocationSchema))
