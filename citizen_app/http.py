"""Request and response plumbing: request ids, media types, body limits, security headers, CORS."""

import secrets

from flask import Flask, g, request

from citizen_app.errors import TooLarge, UnsupportedMediaType

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ACCEPTED_TYPES = {"application/json", "multipart/form-data"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_http_hooks(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else secrets.token_hex(16)

    @app.before_request
    def check_body():
        if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
            return
        length = request.content_length
        has_body = bool(length) or request.headers.get("Transfer-Encoding") == "chunked"
        if not has_body:
            return
        if request.mimetype not in ACCEPTED_TYPES:
            raise UnsupportedMediaType()
        if request.mimetype == "application/json" and length and length > app.config["MAX_JSON_BYTES"]:
            raise TooLarge()

    # The same on every response; no view sets any of them. Added in one call: this runs on every request.
    static_headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", CSP),
        ("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"),
    ]
    if app.config.get("HSTS"):
        static_headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def headers(response):
        response.headers.extend(static_headers)
        response.headers.add("X-Request-ID", getattr(g, "request_id", ""))
        if "Cache-Control" not in response.headers and request.path.startswith("/api/"):
            response.headers.add("Cache-Control", "no-store")
        origin = request.headers.get("Origin")
        if origin and origin in app.config.get("CORS_ORIGINS", []):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
        return response
