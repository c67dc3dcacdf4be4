"""Request and response plumbing: request ids, media types, body limits, security headers, CORS."""

import os

from flask import Flask, has_request_context, request

from citizen_app.errors import TooLarge, UnsupportedMediaType

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ACCEPTED_TYPES = {"application/json", "multipart/form-data"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


REQUEST_ID = "citizen.request_id"  # the WSGI environ key of the request's id


def current_request_id() -> str | None:
    """The request's id (the client's X-Request-ID if it sent a usable one), or None outside a request."""
    return request.environ.get(REQUEST_ID) if has_request_context() else None


class Plumbing:
    """WSGI middleware around the app: each request's id, and the headers every response carries (security headers,
    X-Request-ID, no-store for API answers that set no Cache-Control, CORS for the configured origins).

    As Flask before/after_request hooks, with werkzeug's Headers checking every value, the same work was a fifth of
    a permit search and a sixth of a letter check; here it is a few list appends on the way out."""

    def __init__(self, app: Flask, wsgi_app):
        self.wsgi_app = wsgi_app
        self.static = [
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
            ("Content-Security-Policy", CSP),
            ("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"),
        ]
        if app.config.get("HSTS"):
            self.static.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        self.config = app.config

    def __call__(self, environ, start_response):
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else os.urandom(16).hex()
        environ[REQUEST_ID] = request_id
        api = environ.get("PATH_INFO", "").startswith("/api/")
        origin = environ.get("HTTP_ORIGIN")

        def start(status, headers, exc_info=None):
            headers.extend(self.static)
            headers.append(("X-Request-ID", request_id))
            if api and not any(name.lower() == "cache-control" for name, _ in headers):
                headers.append(("Cache-Control", "no-store"))
            if origin and origin in self.config.get("CORS_ORIGINS", []):
                _cors(headers, origin)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def _cors(headers: list, origin: str) -> None:
    vary = [value for name, value in headers if name.lower() == "vary"]
    headers[:] = [(name, value) for name, value in headers
                  if name.lower() not in ("vary", "access-control-allow-origin")]
    headers += [("Access-Control-Allow-Origin", origin), ("Vary", ", ".join([*vary, "Origin"])),
                ("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key"),
                ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")]


def register_http_hooks(app: Flask) -> None:
    app.wsgi_app = Plumbing(app, app.wsgi_app)

    @app.before_request
    def check_body():
        environ = request.environ
        if environ["REQUEST_METHOD"] not in BODY_METHODS or not environ.get("PATH_INFO", "").startswith("/api/"):
            return
        length = request.content_length
        has_body = bool(length) or environ.get("HTTP_TRANSFER_ENCODING") == "chunked"
        if not has_body:
            return
        if request.mimetype not in ACCEPTED_TYPES:
            raise UnsupportedMediaType()
        if request.mimetype == "application/json" and length and length > app.config["MAX_JSON_BYTES"]:
            raise TooLarge()
