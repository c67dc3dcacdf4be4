"""Who may do what: one place for authentication, roles and scopes, reused by every domain."""

import functools

from flask import request
from flask_jwt_extended import current_user, verify_jwt_in_request

from citizen_app.api import Blueprint
from citizen_app.database import READ_METHODS, read_outside_transaction
from citizen_app.errors import Forbidden
from citizen_app.extensions import db
from citizen_app.identity.models import User

BEARER = [{"bearer": []}]


def auth_required(*roles: str, optional: bool = False):
    """Require a valid access token (and one of `roles`, if given). Also documents bearer auth in OpenAPI."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if request.method in READ_METHODS:
                verify_jwt_in_request(optional=optional)
            else:
                # Who holds the token is read outside the work's transaction, which then holds only the work (on
                # SQLite, writers take turns for the whole of a transaction).
                read_outside_transaction()
                verify_jwt_in_request(optional=optional)
                db.session.commit()
            if roles and (current_user is None or current_user.role not in roles):
                raise Forbidden()
            return view(*args, **kwargs)

        return Blueprint.doc(security=BEARER)(wrapper)

    return decorator


def current_actor() -> User | None:
    """The signed-in user, or a real None (flask-jwt-extended's proxy to None is truthy and `is not None`)."""
    return current_user._get_current_object() if current_user else None


def require_role(actor: User, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden()


def acts_for_kelurahan(actor: User, kelurahan_code: str) -> bool:
    """Clerks and lurah act for their own kelurahan only; a city admin for all of them."""
    if actor.role == "city_admin":
        return True
    return actor.role in ("clerk", "lurah") and actor.kelurahan_code == kelurahan_code


def require_kelurahan_scope(actor: User, kelurahan_code: str, *roles: str) -> None:
    if roles and actor.role not in roles:
        raise Forbidden()
    if not acts_for_kelurahan(actor, kelurahan_code) or (roles and actor.role not in roles):
        raise Forbidden()


def require_zone_scope(actor: User, zone_code: str) -> None:
    if actor.role == "city_admin":
        return
    if actor.role != "parking_attendant" or not actor.zone_code or zone_code not in actor.zone_code.split(","):
        raise Forbidden()


def require_team_scope(actor: User, team_id: int) -> None:
    if actor.role in ("dispatcher", "city_admin"):
        return
    if actor.role != "medic" or actor.team_id != team_id:
        raise Forbidden()
