"""Parking sessions: start, see, stop, cancel. Who sees what: the driver (404 for anyone else's), the zone's
attendant (403 outside their zones) and the city admin."""

from datetime import timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

import citizen_app.parking.messages  # noqa: F401 - registers the Indonesian texts
from citizen_app.audit.services import record
from citizen_app.cities import rows
from citizen_app.cities.services import city_tz, current_city_code
from citizen_app.common.pagination import paginate
from citizen_app.common.time import as_utc, utcnow
from citizen_app.errors import Conflict, Forbidden, NotFound, field_error
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.identity.permissions import require_zone_scope
from citizen_app.parking.models import ParkingSession, ParkingZone
from citizen_app.parking.tariffs import amount_due, normalise_plate

CANCEL_WINDOW = timedelta(minutes=5)
MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL; a bigger id in a URL simply doesn't exist


def get_row(model, row_id: int):
    return db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None


_ZONE = select(ParkingZone).where(ParkingZone.code == bindparam("code"), ParkingZone.city_code == bindparam("city"))


def zone_by_code(code: str, field: str = "zone_code") -> ParkingZone:
    """The current city's zone with this code; an unknown code is a field error on `field`."""
    city = current_city_code()
    zone = rows.kept(_ZONE, {"code": code, "city": city}, ("parking_zone", city, code))
    if zone is None:
        raise field_error(field, "Unknown parking zone.")
    return zone


def present(session: ParkingSession, now=None, zone: ParkingZone | None = None) -> ParkingSession:
    """Attach what the API shows beside the row: the total so far and what is still owed."""
    zone = zone or _zone(session.zone_code)
    if session.status == "active":
        session.amount_total = amount_due(zone, session.vehicle_class, as_utc(session.started_at), now or utcnow())
    else:
        session.amount_total = session.amount or 0
    session.amount_due = session.amount_total if session.status in ("active", "stopped") else 0
    session.zone_name = zone.name
    return session


def _zone(code: str) -> ParkingZone:
    return db.session.scalar(select(ParkingZone).where(ParkingZone.code == code))


def visible_session(actor: User, session_id: int) -> ParkingSession:
    session = get_row(ParkingSession, session_id)
    if session is None:
        raise NotFound()
    if actor.role == "resident":
        if actor.id not in (session.user_id, session.started_by_id):
            raise NotFound()
    elif actor.role in ("parking_attendant", "city_admin"):
        require_zone_scope(actor, session.zone_code)
    else:
        raise Forbidden()
    return session


def start_session(actor: User, data: dict) -> ParkingSession:
    """A new active session and its audit entry, in one commit. The partial unique index
    uq_parking_sessions_active_plate holds "one active session per plate and zone" under concurrent starts:
    its IntegrityError is the 409."""
    zone = zone_by_code(data["zone_code"])
    if actor.role == "parking_attendant":
        require_zone_scope(actor, zone.code)
    if not zone.is_active:
        raise Conflict("This parking zone is closed.")
    if data["vehicle_class"] not in zone.tariffs:
        raise field_error("vehicle_class", "Unknown vehicle class.")
    now = utcnow()
    session = ParkingSession(
        zone_code=zone.code, plate_number=normalise_plate(data["plate_number"]),
        vehicle_class=data["vehicle_class"], user_id=actor.id if actor.role == "resident" else None,
        started_by_id=actor.id, status="active", started_at=now, started_on=now.astimezone(city_tz()).date(),
    )
    db.session.add(session)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("This vehicle already has an active session in this zone.") from None
    record(actor.id, "parking.session_started", "parking_session", session.id, zone=zone.code,
           plate=session.plate_number)
    db.session.commit()
    return present(session, now, zone)


def stop_if_active(session: ParkingSession, now) -> None:
    """Fix the amount and end the session; the guarded UPDATE keeps two concurrent stops from disagreeing."""
    if session.status != "active":
        return
    total = amount_due(_zone(session.zone_code), session.vehicle_class, as_utc(session.started_at), now)
    stopped = db.session.execute(
        update(ParkingSession).where(ParkingSession.id == session.id, ParkingSession.status == "active")
        .values(status="stopped", ended_at=now, amount=total)
    ).rowcount
    db.session.refresh(session)
    if not stopped and session.status == "active":  # pragma: no cover - the row vanished
        raise Conflict()


def stop_session(actor: User, session_id: int) -> ParkingSession:
    session = visible_session(actor, session_id)
    if session.status == "cancelled":
        raise Conflict("This session was cancelled.")
    now = utcnow()
    if session.status == "active":
        stop_if_active(session, now)
        record(actor.id, "parking.session_stopped", "parking_session", session.id, amount=session.amount)
        db.session.commit()
    return present(session, now)


def cancel_session(actor: User, session_id: int) -> ParkingSession:
    session = visible_session(actor, session_id)
    if session.status != "active":
        raise Conflict("Only an active session can be cancelled.")
    if actor.role == "resident" and utcnow() - as_utc(session.started_at) > CANCEL_WINDOW:
        raise Conflict("Too late to cancel; stop the session instead.")
    done = db.session.execute(
        update(ParkingSession).where(ParkingSession.id == session.id, ParkingSession.status == "active")
        .values(status="cancelled", ended_at=utcnow(), amount=0)
    ).rowcount
    if not done:
        db.session.rollback()
        raise Conflict("Only an active session can be cancelled.")
    record(actor.id, "parking.session_cancelled", "parking_session", session.id)
    db.session.commit()
    db.session.refresh(session)
    return present(session)


def get_session(actor: User, session_id: int) -> ParkingSession:
    return present(visible_session(actor, session_id))


def sessions_query(actor: User, args: dict):
    query = select(ParkingSession).order_by(ParkingSession.started_at.desc(), ParkingSession.id.desc())
    if actor.role == "resident":
        query = query.where(or_(ParkingSession.user_id == actor.id, ParkingSession.started_by_id == actor.id))
    elif actor.role == "parking_attendant":
        query = query.where(ParkingSession.zone_code.in_((actor.zone_code or "").split(",")))
    elif actor.role != "city_admin":
        raise Forbidden()
    if args.get("zone_code"):
        query = query.where(ParkingSession.zone_code == args["zone_code"])
    if args.get("status"):
        query = query.where(ParkingSession.status == args["status"])
    if args.get("plate_number"):
        query = query.where(ParkingSession.plate_number == normalise_plate(args["plate_number"]))
    return query


def list_sessions(actor: User, args: dict) -> dict:
    page = paginate(sessions_query(actor, args), args["page"], args["per_page"])
    now = utcnow()
    codes = {s.zone_code for s in page["items"]}
    zones = {z.code: z for z in db.session.scalars(select(ParkingZone).where(ParkingZone.code.in_(codes)))}
    page["items"] = [present(s, now, zones[s.zone_code]) for s in page["items"]]
    return page
