"""One error shape for everything: {"code", "status", "message", "errors"} (API.md, Conventions)."""

import logging
import time

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from citizen_app.i18n import translate, translate_tree
from citizen_app.request_id import current_request_id

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised by services; rendered in the contract's error shape."""

    status = 400
    code = "bad_request"
    message = "Bad request."

    def __init__(self, message: str | None = None, errors: dict | None = None, **params):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors
        self.params = params


class ValidationFailed(ApiError):
    status, code, message = 422, "validation_error", "Some fields are invalid."

    def __init__(self, errors: dict, message: str | None = None):
        super().__init__(message, errors=errors)


class Unauthorized(ApiError):
    status, code, message = 401, "unauthorized", "Authentication is required."


class Forbidden(ApiError):
    status, code, message = 403, "forbidden", "You are not allowed to do this."


class NotFound(ApiError):
    status, code, message = 404, "not_found", "Not found."


class Conflict(ApiError):
    status, code, message = 409, "conflict", "Conflict with the current state."


class TooLarge(ApiError):
    status, code, message = 413, "payload_too_large", "The request is too large."


class UnsupportedMediaType(ApiError):
    status, code, message = 415, "unsupported_media_type", "Unsupported media type; send application/json."


class Unavailable(ApiError):
    status, code, message = 503, "service_unavailable", "The service is temporarily unavailable."


def field_error(field: str, message: str, **params) -> ValidationFailed:
    return ValidationFailed({field: [translate(message, **params)]})


HTTP_CODES = {
    400: ("bad_request", "Bad request."),
    401: ("unauthorized", "Authentication is required."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    409: ("conflict", "Conflict with the current state."),
    413: ("payload_too_large", "The request is too large."),
    415: ("unsupported_media_type", "Unsupported media type; send application/json."),
    422: ("validation_error", "Some fields are invalid."),
    429: ("rate_limited", "Too many requests. Try again in {retry_after} seconds."),
    503: ("service_unavailable", "The service is temporarily unavailable."),
}


def error_response(status: int, code: str, message: str, errors=None, headers=None, **params):
    body = {"code": code, "status": status, "message": translate(message, **params)}
    if errors:
        body["errors"] = translate_tree(errors)
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_webargs(messages: dict) -> tuple[dict, bool]:
    """webargs nests errors under the location ({"json": {...}}); the contract wants field names."""
    flat, malformed = {}, False
    for location, errs in messages.items():
        if isinstance(errs, dict):
            flat.update(errs)
        elif location == "json" and errs == ["Invalid JSON body."]:
            malformed = True
        else:
            flat[location] = errs
    return flat, malformed


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, ("error", exc.name))
    data = getattr(exc, "data", None) or {}
    headers = {}
    if status == 422 or (status == 400 and "messages" in data):
        flat, malformed = _flatten_webargs(data.get("messages", {}))
        if malformed or status == 400:
            return error_response(400, "malformed_body", "Request body is not valid JSON.")
        return error_response(422, "validation_error", "Some fields are invalid.", errors=flat)
    if status == 405:
        valid = getattr(exc, "valid_methods", None)
        if valid:
            headers["Allow"] = ", ".join(sorted(valid))
    if status == 429:
        retry_after = _retry_after(exc)
        headers["Retry-After"] = str(retry_after)
        return error_response(429, code, message, headers=headers, retry_after=retry_after)
    if status == 400 and isinstance(exc.description, str) and "JSON" in exc.description:
        return error_response(400, "malformed_body", "Request body is not valid JSON.")
    return error_response(status, code, message, headers=headers)


def _retry_after(exc) -> int:
    """Seconds until the exceeded window resets, from the limiter that refused the request."""
    try:
        for limiter in current_app.extensions.get("limiter", ()):
            window = limiter.current_limit
            if window is not None:
                return max(1, int(window.reset_at - time.time()))
    except Exception:  # noqa: BLE001 - a best-effort hint, never a reason to fail the 429
        log.debug("no rate-limit window for Retry-After", exc_info=True)
    limit = getattr(exc, "limit", None)
    if limit is not None:
        return max(1, int(limit.limit.get_expiry()))
    return 60


def handle_api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, errors=exc.errors, **exc.params)


def handle_unexpected(exc: Exception):
    request_id = current_request_id() or "-"
    log.exception("unhandled error (request_id=%s)", request_id)
    return error_response(500, "internal_error", "Something went wrong on our side. Reference: {request_id}.",
                          request_id=request_id)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
