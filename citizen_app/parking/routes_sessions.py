"""Zones and sessions: what a driver and an attendant use at the kerb."""

from flask import Response, current_app, request

from citizen_app.common.schemas import PageArgsSchema
from citizen_app.identity.permissions import auth_required, current_actor
from citizen_app.parking import receipts, sessions, zones
from citizen_app.parking.blueprint import blp
from citizen_app.parking.schemas import (
    ParkingReceiptSchema,
    ParkingSessionSchema,
    ParkingZoneDetailSchema,
    ParkingZonePageSchema,
    SessionListArgs,
    SessionPageSchema,
    StartSessionSchema,
)


def base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL") or request.host_url


@blp.get("/parking/zones")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ParkingZonePageSchema)
def list_zones(args):
    return zones.list_zones(args["page"], args["per_page"])


@blp.get("/parking/zones/<code>")
@blp.response(200, ParkingZoneDetailSchema)
def get_zone(code):
    return zones.get_zone(code, base_url())


@blp.get("/parking/zones/<code>/qr.png")
@blp.response(200, content_type="image/png", description="the printable sign's QR")
def zone_qr(code):
    return Response(zones.zone_qr_png(code, base_url()), mimetype="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})


@blp.post("/parking/sessions")
@auth_required("resident", "parking_attendant")
@blp.arguments(StartSessionSchema)
@blp.response(201, ParkingSessionSchema)
def start_session(data):
    return sessions.start_session(current_actor(), data)


@blp.get("/parking/sessions")
@auth_required("resident", "parking_attendant", "city_admin")
@blp.arguments(SessionListArgs, location="query")
@blp.response(200, SessionPageSchema)
def list_sessions(args):
    return sessions.list_sessions(current_actor(), args)


@blp.get("/parking/sessions/<int:session_id>")
@auth_required()
@blp.response(200, ParkingSessionSchema)
def get_session(session_id):
    return sessions.get_session(current_actor(), session_id)


@blp.post("/parking/sessions/<int:session_id>/stop")
@auth_required()
@blp.response(200, ParkingSessionSchema)
def stop_session(session_id):
    return sessions.stop_session(current_actor(), session_id)


@blp.post("/parking/sessions/<int:session_id>/cancel")
@auth_required()
@blp.response(200, ParkingSessionSchema)
def cancel_session(session_id):
    return sessions.cancel_session(current_actor(), session_id)


@blp.get("/parking/sessions/<int:session_id>/receipt")
@auth_required()
@blp.response(200, ParkingReceiptSchema)
def receipt(session_id):
    return receipts.get_receipt(current_actor(), session_id, base_url())

