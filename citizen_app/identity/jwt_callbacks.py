"""flask-jwt-extended answers {"msg"} unless told otherwise; these make its errors the contract's shape."""

from flask import g

from citizen_app.errors import error_response
from citizen_app.extensions import jwt
from citizen_app.identity.actor import token_holder


def _unauthorized(message: str):
    return error_response(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def _holder(payload) -> tuple:
    """flask-jwt-extended asks "revoked?" and then "who?": one query answers both, kept for the request."""
    cached = g.get("_token_holder")
    if cached is None or cached[0] != payload["jti"]:
        try:
            user_id = int(payload["sub"])
        except (TypeError, ValueError):
            user, revoked = None, False
        else:
            user, revoked = token_holder(user_id, payload["jti"])
        cached = g._token_holder = (payload["jti"], user, revoked)
    return cached


@jwt.token_in_blocklist_loader
def check_revoked(_header, payload) -> bool:
    return _holder(payload)[2]


@jwt.user_lookup_loader
def load_user(_header, payload):
    user = _holder(payload)[1]
    return user if user is not None and user.is_active else None


@jwt.unauthorized_loader
def missing_token(_reason):
    return _unauthorized("Authentication is required.")


@jwt.invalid_token_loader
def invalid_token(_reason):
    return _unauthorized("The token is invalid.")


@jwt.expired_token_loader
def expired_token(_header, _payload):
    return _unauthorized("Your session has expired. Please sign in again.")


@jwt.revoked_token_loader
def revoked_token(_header, _payload):
    return _unauthorized("The token has been revoked.")


@jwt.user_lookup_error_loader
def unknown_user(_header, _payload):
    return _unauthorized("The token is invalid.")


@jwt.token_verification_failed_loader
def verification_failed(_header, _payload):
    return _unauthorized("The token is invalid.")
