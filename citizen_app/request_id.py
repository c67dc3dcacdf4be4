"""Each request's id: the client's X-Request-ID if it sent a usable one, else a new one. It is echoed in the
response, written to the audit trail and named in a 500's message, so a resident's report finds the log line."""

import secrets

from flask import g, has_request_context, request


def current_request_id() -> str | None:
    """This request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    request_id = g.get("request_id")
    if request_id is None:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else secrets.token_hex(16)
        g.request_id = request_id
    return request_id
