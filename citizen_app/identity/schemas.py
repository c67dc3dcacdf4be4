import marshmallow as ma
from marshmallow import fields, validate

from citizen_app.common.schemas import Int, QueryInt, StrictSchema
from citizen_app.identity.models import ROLES

NAME = validate.Length(min=1, max=100)
SHORT = validate.Length(max=60)
RT_RW = validate.Regexp(r"^\d{1,3}$")
KELURAHAN_CODE = validate.Regexp(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
PASSWORD = validate.Length(min=8, max=128, error="Password must be at least 8 characters.")


class ProfileFields(StrictSchema):
    birth_place = fields.String(validate=SHORT)
    religion = fields.String(validate=validate.Length(max=30))
    marital_status = fields.String(validate=validate.Length(max=30))
    occupation = fields.String(validate=SHORT)
    nationality = fields.String(validate=validate.Length(max=10))
    address = fields.String(validate=validate.Length(min=1, max=255))
    rt = fields.String(validate=RT_RW)
    rw = fields.String(validate=RT_RW)
    email = fields.Email(validate=validate.Length(max=120))


class RegisterSchema(ProfileFields):
    nik = fields.String(required=True, validate=validate.Regexp(r"^\d{16}$", error="NIK must be exactly 16 digits."))
    full_name = fields.String(required=True, validate=NAME)
    birth_date = fields.Date(required=True)
    gender = fields.String(required=True, validate=validate.OneOf(["male", "female"]))
    phone = fields.String(required=True, validate=validate.Length(max=32))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    kelurahan_code = fields.String(required=True, validate=KELURAHAN_CODE)
    address = fields.String(required=True, validate=validate.Length(min=1, max=255))


class UpdateProfileSchema(ProfileFields):
    kelurahan_code = fields.String(validate=KELURAHAN_CODE)


class LoginSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class RefreshSchema(StrictSchema):
    refresh_token = fields.String(validate=validate.Length(max=4096))


class LogoutSchema(StrictSchema):
    refresh_token = fields.String(validate=validate.Length(max=4096))


class UserSchema(ma.Schema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    username = fields.String(allow_none=True)
    full_name = fields.String(required=True)
    nik_masked = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    kelurahan_code = fields.String(allow_none=True)
    zone_code = fields.String(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    title = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class MeSchema(UserSchema):
    """The owner's own view: the full NIK is shown to its owner and nobody else."""

    nik = fields.Method("owner_nik", allow_none=True)
    email = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    birth_place = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    religion = fields.String(allow_none=True)
    marital_status = fields.String(allow_none=True)
    occupation = fields.String(allow_none=True)
    nationality = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    rt = fields.String(allow_none=True)
    rw = fields.String(allow_none=True)
    nik_flags = fields.List(fields.String(), allow_none=True)
    nip = fields.String(allow_none=True)

    def owner_nik(self, user):
        from citizen_app.identity.vault import decrypt_nik

        return decrypt_nik(user.nik_encrypted) if user.nik_encrypted else None


class TokenPairSchema(ma.Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True)
    user = fields.Nested(UserSchema, required=True)


class CreateUserSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,50}$"))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    role = fields.String(required=True, validate=validate.OneOf([r for r in ROLES if r != "resident"]))
    full_name = fields.String(validate=NAME)
    phone = fields.String(validate=validate.Length(max=32))
    kelurahan_code = fields.String(validate=KELURAHAN_CODE)
    zone_code = fields.String(validate=validate.Length(max=40))
    team_id = Int(validate=validate.Range(min=1))
    nip = fields.String(validate=validate.Regexp(r"^\d{18}$"))
    title = fields.String(validate=validate.Length(max=100))


class UserListArgs(StrictSchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    page = QueryInt(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = QueryInt(load_default=20, validate=validate.Range(min=1, max=100))
