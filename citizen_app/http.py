"""Request and response plumbing: media types, body limits, request ids, security headers, CORS."""

from flask import Flask, request

from citizen_app.errors import TooLarge, UnsupportedMediaType
from citizen_app.request_id import current_request_id

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ACCEPTED_TYPES = {"application/json", "multipart/form-data"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=()",
}
CORS_HEADERS = {
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
}


def register_http_hooks(app: Flask) -> None:
    security = dict(SECURITY_HEADERS)
    if app.config.get("HSTS"):
        security["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    @app.before_request
    def _check_body():
        if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
            return
        length = request.content_length
        if not length and request.headers.get("Transfer-Encoding") != "chunked":
            return
        if request.mimetype not in ACCEPTED_TYPES:
            raise UnsupportedMediaType()
        if request.mimetype == "application/json" and length and length > app.config["MAX_JSON_BYTES"]:
            raise TooLarge()

    @app.after_request
    def _headers(response):
        response.headers.update(security)
        response.headers["X-Request-ID"] = current_request_id()
        if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        origin = request.headers.get("Origin")
        if origin and origin in app.config.get("CORS_ORIGINS", []):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.update(CORS_HEADERS)
            response.vary.add("Origin")
        return response
