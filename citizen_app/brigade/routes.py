from flask import request

from citizen_app.api import Blueprint
from citizen_app.brigade import services
from citizen_app.brigade.models import BrigadeCall
from citizen_app.brigade.schemas import (
    BrigadeCallActionSchema,
    BrigadeCallDetailSchema,
    BrigadeCallListArgs,
    BrigadeCallSchema,
    BrigadeCategorySchema,
    BrigadeCreateCallSchema,
    BrigadeCreateTeamSchema,
    BrigadeSuggestedTeamsArgs,
    BrigadeSuggestedTeamSchema,
    BrigadeTeamListArgs,
    BrigadeTeamSchema,
    BrigadeUpdateTeamSchema,
)
from citizen_app.brigade.transitions import apply_action
from citizen_app.common.idempotency import idempotent
from citizen_app.common.pagination import paginate
from citizen_app.common.ratelimits import config_limit
from citizen_app.common.schemas import page_schema
from citizen_app.extensions import limiter
from citizen_app.identity.permissions import auth_required, current_actor

blp = Blueprint("brigade", __name__, description="Brigade Sehat: calls for the medical team, dispatch, response times")

STAFF = ("dispatcher", "medic", "city_admin")


def _caller_key() -> str:
    return f"brigade-call:{current_actor().id}"


def _is_replay() -> bool:
    # A retry of a call already placed replays its answer even when the allowance is used up: the PWA's offline
    # queue must learn that its call went through.
    key = request.headers.get("Idempotency-Key")
    return bool(key) and services.has_stored_response(current_actor().id, key)


def _counts_against_limit(response) -> bool:
    # Only calls actually placed count: a refused form or a replayed offline retry doesn't use up the allowance.
    return response.status_code == 201 and "Idempotent-Replayed" not in response.headers


@blp.get("/brigade/categories")
@blp.response(200, BrigadeCategorySchema(many=True))
def categories():
    return services.categories()


@blp.post("/brigade/calls")
@auth_required("resident")
@limiter.limit(config_limit("RATELIMIT_BRIGADE_CALL"), key_func=_caller_key, deduct_when=_counts_against_limit,
               exempt_when=_is_replay)
@idempotent(resource=BrigadeCall, render=services.visible_call)
@blp.arguments(BrigadeCreateCallSchema)
@blp.response(201, BrigadeCallSchema)
@blp.doc(description="Place a call. Honours Idempotency-Key. A call from a phone that called within 15 minutes "
                     "is created with possible_duplicate_of set.")
def create_call(data):
    return services.create_call(current_actor(), data)


@blp.get("/brigade/calls")
@auth_required("resident", *STAFF)
@blp.arguments(BrigadeCallListArgs, location="query")
@blp.response(200, page_schema(BrigadeCallSchema, "BrigadeCallPageSchema"))
@blp.doc(description="Dispatcher: the queue (waiting calls first, then by priority, oldest first). "
                     "Medic: the team's calls. Resident: own calls, newest first.")
def list_calls(args):
    return paginate(services.calls_query(current_actor(), args.get("status")), args["page"], args["per_page"])


@blp.get("/brigade/calls/<int:call_id>")
@auth_required("resident", *STAFF)
@blp.response(200, BrigadeCallDetailSchema)
def get_call(call_id):
    return services.call_detail(current_actor(), call_id)


@blp.post("/brigade/calls/<int:call_id>/actions")
@auth_required("resident", "dispatcher", "medic")
@blp.arguments(BrigadeCallActionSchema)
@blp.response(200, BrigadeCallSchema)
@blp.doc(description="Dispatcher: triage (priority), assign (team_id; the team must be available), resolve_by_phone "
                     "(note), cancel (note), merge (duplicate_of, default possible_duplicate_of; cancels this call), "
                     "keep (clears possible_duplicate_of). Medic of the assigned team or dispatcher: en_route, "
                     "on_scene, transport (destination), complete (outcome). Residents: cancel their own call before "
                     "dispatch. Not possible from the current status: 409.")
def call_action(data, call_id):
    return apply_action(current_actor(), call_id, data)


@blp.get("/brigade/calls/<int:call_id>/suggested-teams")
@auth_required("dispatcher", "city_admin")
@blp.arguments(BrigadeSuggestedTeamsArgs, location="query")
@blp.response(200, BrigadeSuggestedTeamSchema(many=True))
def suggested_teams(args, call_id):
    return services.suggested_teams(current_actor(), call_id, args["limit"])


@blp.get("/brigade/teams")
@auth_required(*STAFF)
@blp.arguments(BrigadeTeamListArgs, location="query")
@blp.response(200, page_schema(BrigadeTeamSchema, "BrigadeTeamPageSchema"))
def list_teams(args):
    page = paginate(services.teams_query(args.get("status")), args["page"], args["per_page"])
    return {**page, "items": services.with_current_calls(page["items"])}


@blp.post("/brigade/teams")
@auth_required("dispatcher", "city_admin")
@blp.arguments(BrigadeCreateTeamSchema)
@blp.response(201, BrigadeTeamSchema)
def create_team(data):
    return services.create_team(current_actor(), data)


@blp.patch("/brigade/teams/<int:team_id>")
@auth_required("dispatcher", "medic", "city_admin")
@blp.arguments(BrigadeUpdateTeamSchema)
@blp.response(200, BrigadeTeamSchema)
def update_team(data, team_id):
    return services.update_team(current_actor(), team_id, data)
