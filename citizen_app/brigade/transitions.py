"""A call's state machine: who may take which action from which status, what it stamps, and what it does to
the team. Every action adds a timeline event and an audit entry, in the same commit as the change."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from citizen_app.audit.services import record
from citizen_app.brigade.models import ACTIVE_STATUSES, OPEN_STATUSES, TEAM_BOUND_STATUSES, BrigadeCall, BrigadeTeam
from citizen_app.brigade.services import CONCURRENT_CHANGE, add_event, get_row, visible_call
from citizen_app.common.time import utcnow
from citizen_app.errors import Conflict, Forbidden, field_error
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.notifications.events import notify

# action: (statuses it may start from, status it leads to (None: unchanged), timestamp it sets)
RULES = {
    "triage": (OPEN_STATUSES, "triaged", None),
    "assign": (("triaged",), "dispatched", "dispatched_at"),
    "en_route": (("dispatched",), "en_route", "en_route_at"),
    "on_scene": (("dispatched", "en_route"), "on_scene", "on_scene_at"),
    "transport": (("on_scene",), "transporting", "transporting_at"),
    "complete": (("on_scene", "transporting"), "completed", "completed_at"),
    "resolve_by_phone": (OPEN_STATUSES, "resolved_by_phone", "resolved_at"),
    "cancel": (ACTIVE_STATUSES, "cancelled", "cancelled_at"),
    "merge": (OPEN_STATUSES, "cancelled", "cancelled_at"),
    "keep": (ACTIVE_STATUSES, None, None),
}
TEAM_ACTIONS = ("en_route", "on_scene", "transport", "complete")
REQUIRED = {"triage": "priority", "assign": "team_id", "transport": "destination", "complete": "outcome",
            "resolve_by_phone": "note"}
TEAM_STATUS_AFTER = {"dispatched": "dispatched", "en_route": "en_route", "on_scene": "on_scene",
                     "transporting": "transporting", "completed": "available", "cancelled": "available"}

# Pushed to the caller (Bahasa Indonesia: the residents' language).
NOTICES = {
    "dispatched": ("Tim brigade ditugaskan", "{team} ditugaskan ke lokasi Anda.{eta}"),
    "en_route": ("Tim brigade dalam perjalanan", "{team} sedang menuju lokasi Anda.{eta}"),
    "on_scene": ("Tim brigade telah tiba", "{team} telah tiba di lokasi Anda."),
    "completed": ("Penanganan selesai", "Panggilan Anda telah selesai ditangani oleh {team}. Semoga lekas sembuh."),
    "resolved_by_phone": ("Ditangani lewat telepon", "Panggilan Anda ditangani lewat telepon oleh petugas."),
    "cancelled": ("Panggilan dibatalkan", "Panggilan Anda dibatalkan oleh petugas."),
}


def _authorize(actor: User, call: BrigadeCall, action: str) -> None:
    if actor.role == "dispatcher":
        return
    if actor.role == "medic" and action in TEAM_ACTIONS:
        return  # visible_call already checked the medic belongs to the call's team
    if actor.role == "resident" and action == "cancel":
        if call.status not in OPEN_STATUSES:
            raise Conflict("You can cancel your call only before a team is dispatched.")
        return
    if action in TEAM_ACTIONS:
        raise Forbidden("Only the dispatcher or a medic of the assigned team can do this.")
    raise Forbidden("Only the dispatcher can do this.")


def _require_fields(actor: User, action: str, data: dict) -> None:
    needed = REQUIRED.get(action)
    if action == "cancel" and actor.role == "dispatcher":
        needed = "note"
    if needed and not (str(data.get(needed) or "").strip()):
        raise field_error(needed, "Required for this action.")


def _assignable_team(team_id: int) -> BrigadeTeam:
    team = get_row(BrigadeTeam, team_id)
    if team is None:
        raise field_error("team_id", "Unknown team.")
    if team.status != "available":
        raise Conflict("The team is {state}, not available.", state=team.status)
    busy = db.session.scalar(
        select(BrigadeCall.id).where(BrigadeCall.team_id == team.id, BrigadeCall.status.in_(TEAM_BOUND_STATUSES))
    )
    if busy is not None:
        raise Conflict("The team is already on call {call_id}.", call_id=busy)
    return team


def _merge_target(call: BrigadeCall, data: dict) -> BrigadeCall:
    target_id = data.get("duplicate_of") or call.possible_duplicate_of
    if target_id is None:
        raise field_error("duplicate_of", "Required for this action.")
    if target_id == call.id:
        raise field_error("duplicate_of", "A call cannot be merged into itself.")
    target = get_row(BrigadeCall, target_id)
    if target is None:
        raise field_error("duplicate_of", "Unknown call.")
    if target.status == "cancelled":
        raise Conflict("The other call was cancelled; merge into an open call.")
    return target


def apply_action(actor: User, call_id: int, data: dict) -> BrigadeCall:
    call = visible_call(actor, call_id)
    action = data["action"]
    _authorize(actor, call, action)
    _require_fields(actor, action, data)
    allowed, new_status, stamp = RULES[action]
    if call.status not in allowed:
        raise Conflict("The call is {state}; {action} is not possible now.", state=call.status, action=action)
    if action == "keep" and call.possible_duplicate_of is None:
        raise Conflict("This call is not flagged as a possible duplicate.")
    team = _assignable_team(data["team_id"]) if action == "assign" else call.team
    target = _merge_target(call, data) if action == "merge" else None

    now = utcnow()
    note = (data.get("note") or "").strip() or None
    details = {}
    try:
        if actor.role == "dispatcher" and call.answered_at is None:
            call.answered_at = now
        if action == "triage":
            call.priority = details["priority"] = data["priority"]
        elif action == "assign":
            call.team_id, call.team = team.id, team
            details["team_id"] = team.id
        elif action == "transport":
            call.destination = details["destination"] = data["destination"].strip()
        elif action == "complete":
            call.outcome = details["outcome"] = data["outcome"]
        elif action == "merge":
            call.merged_into = details["merged_into"] = target.id
        elif action == "keep":
            details["possible_duplicate_of"] = call.possible_duplicate_of
            call.possible_duplicate_of = None
        if new_status is not None:
            call.status = new_status
            if stamp:
                setattr(call, stamp, now)
            if team is not None and new_status in TEAM_STATUS_AFTER:
                team.status = TEAM_STATUS_AFTER[new_status]
        add_event(call, actor, action, note, **details)
        record(actor.id, f"brigade.call.{action}", "brigade_call", call.id, status=call.status, **details)
        if new_status and action != "merge" and actor.role != "resident":
            _notify(call, team, new_status)
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Conflict(CONCURRENT_CHANGE) from None
    return call


def _notify(call: BrigadeCall, team: BrigadeTeam | None, status: str) -> None:
    if status not in NOTICES:
        return
    title, body = NOTICES[status]
    eta = call.eta_minutes
    body = body.format(team=team.name if team else "Tim brigade",
                       eta=f" Perkiraan tiba dalam {eta} menit." if eta else "")
    notify([call.resident_id], f"brigade.{status}", title, body, url=f"/#/brigade/{call.id}", urgency="high",
           data={"call_id": call.id, "status": status})
