"""Brigade calls and teams: placing a call, the queues, the detail with its timeline, and the teams.
The call's state machine lives in transitions.py."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import case, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

import citizen_app.brigade.messages  # noqa: F401 - registers the Bahasa Indonesia messages
from citizen_app.audit.services import record
from citizen_app.brigade.geo import eta_minutes, haversine_km
from citizen_app.brigade.models import (
    ACTIVE_STATUSES,
    CATEGORIES,
    OPEN_STATUSES,
    TEAM_BOUND_STATUSES,
    BrigadeCall,
    BrigadeCallEvent,
    BrigadeTeam,
)
from citizen_app.brigade.pack import distance_from_centre_km
from citizen_app.common.models import IdempotencyKey
from citizen_app.common.time import utcnow
from citizen_app.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from citizen_app.extensions import db
from citizen_app.i18n import translate
from citizen_app.identity.models import User
from citizen_app.identity.permissions import require_team_scope
from citizen_app.identity.services import normalize_phone

DUPLICATE_WINDOW = timedelta(minutes=15)
STAFF_VIEWERS = ("dispatcher", "city_admin")
MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL; a bigger id in a URL simply doesn't exist
CONCURRENT_CHANGE = "The call or team was changed at the same time by someone else; reload and try again."


def commit_or_conflict() -> None:
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Conflict(CONCURRENT_CHANGE) from None


def categories() -> list[dict]:
    return [{"code": code, "label": label, "label_en": label_en} for code, (label, label_en) in CATEGORIES.items()]


def add_event(call: BrigadeCall, actor: User, action: str, note: str | None = None, **data) -> BrigadeCallEvent:
    event = BrigadeCallEvent(call_id=call.id, action=action, status=call.status,
                             at=utcnow(), actor_id=actor.id, actor_role=actor.role, note=note,
                             data={k: v for k, v in data.items() if v is not None} or None)
    db.session.add(event)
    return event


def _contact_phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except ValidationFailed:
        raise field_error("contact_phone", "Not a valid Indonesian mobile number.") from None


def _check_within_city(latitude: float, longitude: float) -> None:
    distance = distance_from_centre_km(latitude, longitude)
    limit = current_app.config.get("BRIGADE_MAX_DISTANCE_KM", 60)
    if distance is not None and distance > limit:
        message = translate("This position is {distance} km from the city; the brigade serves places within {max} km.",
                            distance=round(distance), max=f"{float(limit):g}")
        raise ValidationFailed({"latitude": [message], "longitude": [message]})


def create_call(actor: User, data: dict) -> BrigadeCall:
    phone = _contact_phone(data["contact_phone"])
    position = _position(data)
    if position:
        _check_within_city(*position)
    now = utcnow()
    earlier = db.session.scalar(
        select(BrigadeCall.id)
        .where(BrigadeCall.contact_phone == phone, BrigadeCall.created_at >= now - DUPLICATE_WINDOW,
               BrigadeCall.merged_into.is_(None))
        .order_by(BrigadeCall.created_at.desc(), BrigadeCall.id.desc()).limit(1)
    )
    call = BrigadeCall(
        resident_id=actor.id, category=data["category"], complaint=data["complaint"].strip(),
        patient_name=data["patient_name"].strip(), patient_age=data["patient_age"], contact_phone=phone,
        latitude=position[0] if position else None, longitude=position[1] if position else None,
        address=data["address"].strip(), status="received", created_at=now, possible_duplicate_of=earlier,
    )
    db.session.add(call)
    db.session.flush()
    add_event(call, actor, "call", possible_duplicate_of=earlier)
    record(actor.id, "brigade.call.create", "brigade_call", call.id, category=call.category,
           possible_duplicate_of=earlier)
    db.session.commit()
    return call


def get_row(model, row_id: int):
    return db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None


def has_stored_response(user_id: int, key: str) -> bool:
    """A replay: the key's answer is stored, or its call was committed (the answer lost in a crash is rebuilt)."""
    return db.session.scalar(
        select(IdempotencyKey.id).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key[:100],
                                        or_(IdempotencyKey.status_code.isnot(None),
                                            IdempotencyKey.resource_id.isnot(None)))
    ) is not None


def visible_call(actor: User, call_id: int) -> BrigadeCall:
    """Residents see their own calls (others: 404); a medic their team's; the dispatcher all."""
    call = get_row(BrigadeCall, call_id)
    if call is None or (actor.role == "resident" and call.resident_id != actor.id):
        raise NotFound()
    if actor.role == "medic":
        if actor.team_id is None or call.team_id != actor.team_id:
            raise Forbidden()
    elif actor.role not in ("resident", *STAFF_VIEWERS):
        raise Forbidden()
    return call


def _parse_statuses(value: str | None, default: str) -> tuple[str, ...] | None:
    value = value or default
    if value == "all":
        return None
    if value == "active":
        return ACTIVE_STATUSES
    return tuple(dict.fromkeys(value.split(",")))


def _queue_order(statuses: tuple[str, ...] | None) -> tuple:
    if statuses is not None and set(statuses) <= set(ACTIVE_STATUSES):
        # Waiting calls first; untriaged ones rank just below red, since any of them may turn out red.
        waiting = case((BrigadeCall.status.in_(OPEN_STATUSES), 0), else_=1)
        rank = case((BrigadeCall.priority == "red", 0), (BrigadeCall.priority.is_(None), 1),
                    (BrigadeCall.priority == "yellow", 2), else_=3)
        return waiting, rank, BrigadeCall.created_at, BrigadeCall.id
    return BrigadeCall.created_at.desc(), BrigadeCall.id.desc()


def calls_query(actor: User, status: str | None):
    if actor.role == "resident":
        statuses = _parse_statuses(status, "all")
        query = select(BrigadeCall).where(BrigadeCall.resident_id == actor.id)
        order = (BrigadeCall.created_at.desc(), BrigadeCall.id.desc())
    elif actor.role == "medic":
        statuses = _parse_statuses(status, "active")
        query = select(BrigadeCall).where(BrigadeCall.team_id == (actor.team_id or 0))
        order = _queue_order(statuses)
    elif actor.role in STAFF_VIEWERS:
        statuses = _parse_statuses(status, "active")
        query = select(BrigadeCall)
        order = _queue_order(statuses)
    else:
        raise Forbidden()
    if statuses is not None:
        query = query.where(BrigadeCall.status.in_(statuses))
    return query.order_by(*order)


def _actor_label(role: str | None, name: str | None) -> dict | None:
    if role is None:
        return None
    return {"role": role, "name": name if role != "resident" else None}


def call_detail(actor: User, call_id: int) -> BrigadeCall:
    call = visible_call(actor, call_id)
    rows = db.session.execute(
        select(BrigadeCallEvent, User.full_name)
        .outerjoin(User, User.id == BrigadeCallEvent.actor_id)
        .where(BrigadeCallEvent.call_id == call.id)
        .order_by(BrigadeCallEvent.at, BrigadeCallEvent.id)
    ).all()
    call.timeline = [
        {"action": e.action, "status": e.status, "at": e.at, "by": _actor_label(e.actor_role, name),
         "note": e.note, "data": e.data}
        for e, name in rows
    ]
    return call


def suggested_teams(actor: User, call_id: int, limit: int) -> list[dict]:
    call = visible_call(actor, call_id)
    busy = (select(BrigadeCall.id)
            .where(BrigadeCall.team_id == BrigadeTeam.id, BrigadeCall.status.in_(TEAM_BOUND_STATUSES)).exists())
    columns = (BrigadeTeam.id, BrigadeTeam.name, BrigadeTeam.status, BrigadeTeam.latitude, BrigadeTeam.longitude,
               BrigadeTeam.position_at)
    rows = db.session.execute(select(*columns).where(BrigadeTeam.status == "available", ~busy)).mappings()
    suggestions = []
    for row in rows:
        team = dict(row)
        if team["latitude"] is None or team["longitude"] is None or not call.has_position:
            team["distance_km"] = team["eta_minutes"] = None
        else:
            distance = haversine_km(team["latitude"], team["longitude"], call.latitude, call.longitude)
            team["distance_km"], team["eta_minutes"] = round(distance, 2), eta_minutes(distance)
        suggestions.append(team)
    # Teams with no known position go last: they may be near, but nobody can tell.
    suggestions.sort(key=lambda t: (t["distance_km"] is None, t["distance_km"] or 0, t["name"]))
    return suggestions[:limit]


def _current_calls(team_ids: list[int]) -> dict[int, int]:
    if not team_ids:
        return {}
    rows = db.session.execute(
        select(BrigadeCall.team_id, BrigadeCall.id)
        .where(BrigadeCall.team_id.in_(team_ids), BrigadeCall.status.in_(TEAM_BOUND_STATUSES))
    )
    return dict(rows.all())  # (team id, call id) rows


def with_current_calls(teams: list[BrigadeTeam]) -> list[BrigadeTeam]:
    calls = _current_calls([t.id for t in teams])
    for team in teams:
        team.current_call_id = calls.get(team.id)
    return teams


def teams_query(status: str | None):
    query = select(BrigadeTeam).order_by(BrigadeTeam.name, BrigadeTeam.id)
    return query.where(BrigadeTeam.status == status) if status else query


def _position(data: dict) -> tuple[float, float] | None:
    has_lat, has_lon = data.get("latitude") is not None, data.get("longitude") is not None
    if has_lat != has_lon:
        missing = "longitude" if has_lat else "latitude"
        raise field_error(missing, "Give both latitude and longitude.")
    return (data["latitude"], data["longitude"]) if has_lat else None


def create_team(actor: User, data: dict) -> BrigadeTeam:
    position = _position(data)
    name = data["name"].strip()
    if db.session.scalar(select(BrigadeTeam.id).where(BrigadeTeam.name == name)):
        raise Conflict("A team with this name already exists.")
    team = BrigadeTeam(name=name, status=data["status"], created_at=utcnow())
    if position:
        team.latitude, team.longitude = position
        team.position_at = utcnow()
    db.session.add(team)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("A team with this name already exists.") from None
    record(actor.id, "brigade.team.create", "brigade_team", team.id, name=name)
    db.session.commit()
    team.current_call_id = None
    return team


def update_team(actor: User, team_id: int, data: dict) -> BrigadeTeam:
    team = get_row(BrigadeTeam, team_id)
    if team is None:
        raise NotFound()
    require_team_scope(actor, team.id)
    position = _position(data)
    current = _current_calls([team.id]).get(team.id)
    status = data.get("status")
    if status is not None and status != team.status:
        if current is not None:
            raise Conflict("The team is on call {call_id}; its status follows the call's actions.", call_id=current)
        if status not in ("available", "off_duty"):
            raise field_error("status", "Without a call a team can only be available or off_duty.")
        record(actor.id, "brigade.team.status", "brigade_team", team.id, before=team.status, after=status)
        team.status = status
    if position:
        team.latitude, team.longitude = position
        team.position_at = utcnow()
    commit_or_conflict()
    team.current_call_id = current
    return team
