"""Receipts carry a short HMAC-signed code, so an attendant's scan proves the session without trusting the
phone showing it."""

import base64
import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import select

import citizen_app.parking.messages  # noqa: F401
from citizen_app.cities.services import city_tz
from citizen_app.common.time import utcnow
from citizen_app.errors import Conflict, field_error
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.identity.permissions import require_zone_scope
from citizen_app.parking.models import ParkingSession, Payment
from citizen_app.parking.sessions import present, visible_session, zone_by_code
from citizen_app.parking.tariffs import normalise_plate

CODE = re.compile(r"^R(\d{1,12})-([A-Z2-7]{16})$")


def _signature(session_id: int) -> str:
    key = (current_app.config["SECRET_KEY"] + ":parking-receipt").encode()
    digest = hmac.new(key, f"receipt:{session_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16]


def receipt_code(session_id: int) -> str:
    return f"R{session_id}-{_signature(session_id)}"


def receipt_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/#/parking/receipt/{code}"


def session_from_code(text: str) -> ParkingSession | None:
    code = text.strip().rsplit("/", 1)[-1].upper()
    match = CODE.match(code)
    if not match or not hmac.compare_digest(match.group(2), _signature(int(match.group(1)))):
        return None
    return db.session.get(ParkingSession, int(match.group(1)))


def get_receipt(actor: User, session_id: int, base_url: str) -> dict:
    session = visible_session(actor, session_id)
    if session.status != "paid":
        raise Conflict("No receipt before the session is paid.")
    payment = db.session.scalar(select(Payment).where(Payment.session_id == session.id, Payment.status == "paid")
                                .order_by(Payment.paid_at).limit(1))
    code = receipt_code(session.id)
    return {"session": present(session), "payment": payment, "receipt_code": code,
            "qr": receipt_url(base_url, code)}


def verify(actor: User, data: dict) -> dict:
    if data.get("qr"):
        session = session_from_code(data["qr"])
        if session is None:
            raise field_error("qr", "This receipt code is not valid.")
        require_zone_scope(actor, session.zone_code)  # an attendant checks the cars in their own zone only
        status = {"paid": "paid", "active": "active"}.get(session.status, "unpaid")
        return {"status": status, "session": present(session), "checked_at": utcnow()}
    if not (data.get("plate_number") and data.get("zone_code")):
        raise field_error("qr", "Give either qr, or plate_number and zone_code.")
    zone = zone_by_code(data["zone_code"])
    require_zone_scope(actor, zone.code)
    plate = normalise_plate(data["plate_number"])
    today = utcnow().astimezone(city_tz()).date()
    # A receipt covers the day's parking: older sessions say nothing about the car standing here now.
    sessions = db.session.scalars(select(ParkingSession).where(
        ParkingSession.zone_code == zone.code, ParkingSession.plate_number == plate,
        ParkingSession.started_on == today, ParkingSession.status != "cancelled",
    ).order_by(ParkingSession.started_at.desc())).all()
    chosen = next((s for s in sessions if s.status == "active"), sessions[0] if sessions else None)
    status = "unpaid" if chosen is None else {"paid": "paid", "active": "active"}.get(chosen.status, "unpaid")
    return {"status": status, "session": present(chosen) if chosen else None, "checked_at": utcnow(),
            "plate_number": plate, "zone_code": zone.code}
