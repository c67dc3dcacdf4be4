import marshmallow as ma
from marshmallow import fields, validate

from citizen_app.common.schemas import Int, PageArgsSchema, StrictSchema, page_schema
from citizen_app.parking.models import PAYMENT_METHODS, SESSION_STATUSES, VEHICLE_CLASSES

FORMATS = validate.OneOf(("json", "csv"))
ZONE_CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$")  # also keeps NUL bytes and the like off the database
PLAIN_TEXT = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")


# ---- input
class StartSessionSchema(StrictSchema):
    zone_code = fields.String(required=True, validate=ZONE_CODE)
    plate_number = fields.String(required=True, validate=validate.Length(min=1, max=20),
                                 metadata={"example": "DH 1234 AB"})
    vehicle_class = fields.String(required=True, validate=validate.OneOf(VEHICLE_CLASSES))


class SessionListArgs(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))
    zone_code = fields.String(validate=ZONE_CODE)
    plate_number = fields.String(validate=validate.Length(max=20))


class CreatePaymentSchema(StrictSchema):
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))


class TopupSchema(StrictSchema):
    amount = Int(required=True, metadata={"example": 50000})


class VerifySchema(StrictSchema):
    qr = fields.String(validate=validate.Length(min=1, max=300))
    plate_number = fields.String(validate=validate.Length(min=1, max=20))
    zone_code = fields.String(validate=ZONE_CODE)


class RangeArgs(StrictSchema):
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    format = fields.String(load_default="json", validate=FORMATS)


class RevenueArgs(RangeArgs):
    zone = fields.String(validate=ZONE_CODE)


class RecordDepositSchema(StrictSchema):
    amount = Int(required=True, validate=validate.Range(min=1, max=1_000_000_000))
    deposited_on = fields.Date()
    note = fields.String(validate=[validate.Length(max=200), PLAIN_TEXT])


class DepositListArgs(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(("recorded", "confirmed")))
    attendant_id = Int(validate=validate.Range(min=1, max=2**31 - 1))


class ProviderNotificationSchema(ma.Schema):
    """The provider's notification, kept whole: the signature covers fields we don't model."""

    class Meta:
        unknown = ma.INCLUDE

    order_id = fields.Raw()
    status_code = fields.Raw()
    gross_amount = fields.Raw()
    signature_key = fields.Raw()
    transaction_status = fields.Raw()


# ---- output
class ParkingZoneSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    kelurahan_code = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    location = fields.Method("_location")
    tariffs = fields.Dict(keys=fields.String(), values=fields.Integer())
    hourly_surcharge = fields.Integer()
    free_hours = fields.Integer(allow_none=True)
    surcharge_after_hours = fields.Integer(allow_none=True)

    def _location(self, zone):
        return {"latitude": zone.latitude, "longitude": zone.longitude}


class ParkingZoneDetailSchema(ParkingZoneSchema):
    sign_url = fields.String(metadata={"description": "what the zone's printed QR sign encodes"})
    sign_qr_url = fields.String()


class ParkingSessionSchema(ma.Schema):
    id = fields.Integer()
    zone_code = fields.String()
    zone_name = fields.String()
    plate_number = fields.String()
    vehicle_class = fields.String()
    status = fields.String()
    user_id = fields.Integer(allow_none=True)
    started_by_id = fields.Integer()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)
    amount_total = fields.Integer(metadata={"description": "the tariff so far (fixed once stopped)"})
    amount_due = fields.Integer(metadata={"description": "still to pay; 0 once paid or cancelled"})


class ParkingPaymentSchema(ma.Schema):
    id = fields.Integer()
    reference = fields.String()
    purpose = fields.String()
    method = fields.String()
    status = fields.String()
    amount = fields.Integer()
    session_id = fields.Integer(allow_none=True)
    provider = fields.String(allow_none=True)
    qris_payload = fields.String(allow_none=True)
    created_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)


class WebhookResultSchema(ma.Schema):
    reference = fields.String()
    status = fields.String()


class ReceiptPaymentSchema(ma.Schema):
    id = fields.Integer()
    reference = fields.String()
    method = fields.String()
    amount = fields.Integer()
    paid_at = fields.DateTime(allow_none=True)


class LedgerEntrySchema(ma.Schema):
    id = fields.Integer()
    amount = fields.Integer()
    kind = fields.String()
    payment_id = fields.Integer()
    created_at = fields.DateTime()


class WalletSchema(page_schema(LedgerEntrySchema, "LedgerPageSchema")):
    balance = fields.Integer(required=True)


class ParkingReceiptSchema(ma.Schema):
    session = fields.Nested(ParkingSessionSchema)
    payment = fields.Nested(ReceiptPaymentSchema, allow_none=True)
    receipt_code = fields.String()
    qr = fields.String(metadata={"description": "text of the receipt's QR; POST it to /parking/verify"})


class VerifyResultSchema(ma.Schema):
    status = fields.String(metadata={"description": "paid | unpaid | active"})
    session = fields.Nested(ParkingSessionSchema, allow_none=True)
    checked_at = fields.DateTime()
    plate_number = fields.String()
    zone_code = fields.String()


class AttendantTodaySchema(ma.Schema):
    date = fields.Date()
    zones = fields.List(fields.String())
    sessions_started = fields.Integer()
    sessions_active = fields.Integer()
    by_method = fields.Dict(keys=fields.String(), values=fields.Dict())
    total = fields.Integer()
    cash_collected = fields.Integer()
    cash_not_deposited = fields.Integer()


class ParkingRevenueRowSchema(ma.Schema):
    date = fields.Date()
    zone_code = fields.String()
    attendant_id = fields.Integer(allow_none=True)
    attendant = fields.String(allow_none=True)
    method = fields.String()
    payments = fields.Integer()
    amount = fields.Integer()


class ParkingRevenueSchema(ma.Schema):
    date_from = fields.Date(data_key="from", attribute="from")
    date_to = fields.Date(data_key="to", attribute="to")
    zone = fields.String(allow_none=True)
    generated_at = fields.DateTime()
    total = fields.Integer()
    payments = fields.Integer()
    rows = fields.List(fields.Nested(ParkingRevenueRowSchema))
    by_zone = fields.List(fields.Dict())
    by_method = fields.List(fields.Dict())
    by_attendant = fields.List(fields.Dict())
    by_day = fields.List(fields.Dict())
    cash = fields.List(fields.Dict(), metadata={"description": "per attendant: cash recorded vs deposited"})


class ParkingDepositSchema(ma.Schema):
    id = fields.Integer()
    attendant_id = fields.Integer()
    amount = fields.Integer()
    deposited_on = fields.Date()
    note = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    confirmed_by_id = fields.Integer(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)


class ParkingStatsItemSchema(ma.Schema):
    month = fields.String()
    zone_code = fields.String()
    zone_name = fields.String(allow_none=True)
    sessions = fields.Raw(metadata={"description": "a count, or \"<5\" when small"})
    revenue = fields.Integer()
    revenue_qris = fields.Integer()
    revenue_wallet = fields.Integer()
    revenue_cash = fields.Integer()


class ParkingStatsSchema(ma.Schema):
    date_from = fields.Date(data_key="from", attribute="from")
    date_to = fields.Date(data_key="to", attribute="to")
    city = fields.String()
    generated_at = fields.DateTime()
    items = fields.List(fields.Nested(ParkingStatsItemSchema))


ParkingZonePageSchema = page_schema(ParkingZoneSchema, "ParkingZonePageSchema")
SessionPageSchema = page_schema(ParkingSessionSchema, "ParkingSessionPageSchema")
DepositPageSchema = page_schema(ParkingDepositSchema, "ParkingDepositPageSchema")
