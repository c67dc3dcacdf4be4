import marshmallow as ma
from marshmallow import fields, validate

from citizen_app.common.schemas import PageArgsSchema, StrictSchema, page_schema

HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use HH:MM (00:00 to 23:59).")


class VapidKeySchema(ma.Schema):
    public_key = fields.String(required=True, metadata={"description": "base64url uncompressed P-256 point"})


class PushKeysSchema(StrictSchema):
    p256dh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    auth = fields.String(required=True, validate=validate.Length(min=1, max=100))


class PushSubscribeSchema(StrictSchema):
    """The browser's PushSubscription.toJSON(), as is."""

    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    keys = fields.Nested(PushKeysSchema, required=True)
    expirationTime = fields.Float(allow_none=True, load_default=None,  # noqa: N815 - the browser's name
                                   validate=validate.Range(min=0))


class PushUnsubscribeSchema(StrictSchema):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class PushSubscriptionSchema(ma.Schema):
    id = fields.Integer()
    endpoint = fields.String()
    expires_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class NotificationSchema(ma.Schema):
    id = fields.Integer()
    topic = fields.String()
    event = fields.String()
    title = fields.String()
    body = fields.String()
    url = fields.String()
    urgency = fields.String()
    data = fields.Dict(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Function(lambda note: note.read_at is not None)




class InboxArgsSchema(PageArgsSchema):
    unread = fields.Boolean(load_default=False)


class InboxPageSchema(page_schema(NotificationSchema, "NotificationPageBase")):
    unread_count = fields.Integer(required=True)


class QuietHoursSchema(StrictSchema):
    start = fields.String(required=True, validate=HHMM, metadata={"example": "22:00"})
    end = fields.String(required=True, validate=HHMM, metadata={"example": "06:00"})


class NotificationPreferencesSchema(ma.Schema):
    muted_topics = fields.List(fields.String())
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True,
                                metadata={"description": "local time in `timezone`; null: none"})
    timezone = fields.String()
    mutable_topics = fields.List(fields.String())


class UpdateNotificationPreferencesSchema(StrictSchema):
    muted_topics = fields.List(fields.String(validate=validate.Length(max=20)), validate=validate.Length(max=10),
                               metadata={"description": "any of documents, parking, broadcast; never brigade"})
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True,
                                metadata={"description": "pushes wait until `end`; urgent ones (brigade) don't"})


class CreateBroadcastSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    body = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    url = fields.String(validate=[validate.Length(max=255),
                                  validate.Regexp(r"^/(?!/)", error="Use a path inside the app, e.g. /#/inbox.")])
    kelurahan_codes = fields.List(fields.String(validate=validate.Length(max=13)),
                                  validate=validate.Length(min=1, max=500))
    kecamatan_codes = fields.List(fields.String(validate=validate.Length(max=8)),
                                  validate=validate.Length(min=1, max=100))


class BroadcastSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    url = fields.String()
    created_by = fields.Integer()
    kelurahan_codes = fields.List(fields.String())
    kecamatan_codes = fields.List(fields.String())
    created_at = fields.DateTime()
    targeted = fields.Integer(metadata={"description": "residents who got it in their inbox"})
    sent = fields.Integer(metadata={"description": "pushes handed to push services with a final answer"})
    delivered = fields.Integer(metadata={"description": "pushes the push service accepted (201/202)"})
    failed = fields.Integer(metadata={"description": "pushes given up on (refused, or retries exhausted)"})
    pruned = fields.Integer(metadata={"description": "devices gone (404/410), their subscriptions deleted"})
    pending = fields.Integer(metadata={"description": "residents whose push is still queued or retrying"})
    skipped = fields.Integer(metadata={"description": "residents with no device or who muted broadcasts"})


BroadcastPageSchema = page_schema(BroadcastSchema, "BroadcastPage")
