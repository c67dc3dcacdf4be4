from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from citizen_app.brigade.models import CALL_STATUSES, CATEGORIES, OUTCOMES, PRIORITIES, TEAM_STATUSES
from citizen_app.common.schemas import Int, PageArgsSchema, StrictSchema

ACTIONS = ("triage", "assign", "en_route", "on_scene", "transport", "complete", "resolve_by_phone", "cancel",
           "merge", "keep")
LATITUDE = validate.Range(min=-90, max=90)
LONGITUDE = validate.Range(min=-180, max=180)


class BrigadeCreateCallSchema(StrictSchema):
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    complaint = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    patient_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    patient_age = Int(required=True, validate=validate.Range(min=0, max=130))
    contact_phone = fields.String(required=True, validate=validate.Length(min=1, max=32))
    # Optional together: a phone without a position fix still calls, and the address text guides the team.
    latitude = fields.Float(allow_none=True, validate=LATITUDE)
    longitude = fields.Float(allow_none=True, validate=LONGITUDE)
    address = fields.String(required=True, validate=validate.Length(min=1, max=255))


class BrigadeCallActionSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    team_id = Int(validate=validate.Range(min=1))
    destination = fields.String(validate=validate.Length(min=1, max=200))
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    duplicate_of = Int(validate=validate.Range(min=1), metadata={
        "description": "merge: the call this one duplicates (default: possible_duplicate_of)"})
    note = fields.String(validate=validate.Length(max=1000))


_ONE_STATUS = "|".join(CALL_STATUSES)


STATUS_FILTER = validate.Regexp(
    rf"^(all|active|({_ONE_STATUS})(,({_ONE_STATUS}))*)$",
    error="Use all, active, or statuses separated by commas.",
)


class BrigadeCallListArgs(PageArgsSchema):
    status = fields.String(validate=STATUS_FILTER, metadata={
        "description": "active (default for staff), all (default for residents), or statuses separated by commas"})


class BrigadeSuggestedTeamsArgs(StrictSchema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class BrigadeTeamRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    position_at = fields.DateTime(allow_none=True)


class BrigadeTeamSchema(BrigadeTeamRefSchema):
    created_at = fields.DateTime(required=True)
    current_call_id = fields.Integer(allow_none=True)


class BrigadeSuggestedTeamSchema(BrigadeTeamRefSchema):
    distance_km = fields.Float(allow_none=True, metadata={"description": "straight-line distance to the caller"})
    eta_minutes = fields.Integer(allow_none=True)


class BrigadeCreateTeamSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    status = fields.String(load_default="available", validate=validate.OneOf(["available", "off_duty"]))
    latitude = fields.Float(validate=LATITUDE)
    longitude = fields.Float(validate=LONGITUDE)


class BrigadeUpdateTeamSchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(TEAM_STATUSES))
    latitude = fields.Float(validate=LATITUDE)
    longitude = fields.Float(validate=LONGITUDE)


class BrigadeCategorySchema(ma.Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    label_en = fields.String(required=True)


class BrigadeActorSchema(ma.Schema):
    role = fields.String(allow_none=True)
    name = fields.String(allow_none=True, metadata={"description": "staff only"})


class BrigadeTimelineEntrySchema(ma.Schema):
    action = fields.String(required=True)
    status = fields.String(required=True)
    at = fields.DateTime(required=True)
    by = fields.Nested(BrigadeActorSchema, allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)


class BrigadeCallSchema(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    priority = fields.String(allow_none=True)
    category = fields.String(required=True)
    complaint = fields.String(required=True)
    patient_name = fields.String(required=True)
    patient_age = fields.Integer(required=True)
    contact_phone = fields.String(required=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    address = fields.String(required=True)
    team_id = fields.Integer(allow_none=True)
    team = fields.Nested(BrigadeTeamRefSchema, allow_none=True)
    destination = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    possible_duplicate_of = fields.Integer(allow_none=True)
    merged_into = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    answered_at = fields.DateTime(allow_none=True)
    dispatched_at = fields.DateTime(allow_none=True)
    en_route_at = fields.DateTime(allow_none=True)
    on_scene_at = fields.DateTime(allow_none=True)
    transporting_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    distance_km = fields.Float(allow_none=True, metadata={"description": "team to caller, straight line"})
    eta_minutes = fields.Integer(allow_none=True, metadata={"description": "until the team arrives (by distance)"})


class BrigadeCallDetailSchema(BrigadeCallSchema):
    timeline = fields.List(fields.Nested(BrigadeTimelineEntrySchema), required=True)


STATS_DATES = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31))


class BrigadeStatsArgs(StrictSchema):
    date_from = fields.Date(data_key="from", validate=STATS_DATES)
    date_to = fields.Date(data_key="to", validate=STATS_DATES)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class BrigadeDurationSchema(ma.Schema):
    n = fields.Raw(required=True, metadata={"description": "integer, or \"<5\""})
    median = fields.Float(allow_none=True)
    p90 = fields.Float(allow_none=True)


class BrigadeStatsRowSchema(ma.Schema):
    month = fields.String(required=True)
    calls = fields.Raw(required=True)
    by_category = fields.Dict(keys=fields.String(), values=fields.Raw())
    by_priority = fields.Dict(keys=fields.String(), values=fields.Raw())
    by_status = fields.Dict(keys=fields.String(), values=fields.Raw())
    answer_to_dispatch_minutes = fields.Nested(BrigadeDurationSchema)
    dispatch_to_on_scene_minutes = fields.Nested(BrigadeDurationSchema)
    call_to_on_scene_minutes = fields.Nested(BrigadeDurationSchema)


class BrigadeStatsSchema(ma.Schema):
    generated_at = fields.DateTime(required=True)
    date_from = fields.Date(data_key="from", allow_none=True)
    date_to = fields.Date(data_key="to", allow_none=True)
    items = fields.List(fields.Nested(BrigadeStatsRowSchema), required=True)


class BrigadeTeamListArgs(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(TEAM_STATUSES))
