"""flask-jwt-extended answers {"msg"} unless told otherwise; these make its errors the contract's shape."""

from citizen_app.errors import error_response
from citizen_app.extensions import db, jwt
from citizen_app.identity.models import User
from citizen_app.identity.services import is_revoked


def _unauthorized(message: str):
    return error_response(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


@jwt.user_lookup_loader
def load_user(_header, payload):
    try:
        user = db.session.get(User, int(payload["sub"]))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None


@jwt.token_in_blocklist_loader
def check_revoked(_header, payload) -> bool:
    return is_revoked(payload["jti"])


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
