"""Each request's id: the client's X-Request-ID if it sent a usable one, else a new one. It is echoed in the
response, written to the audit trail and named in a 500's message, so a resident's report finds the log line.
It needs to be unique, not unguessable: it is drawn from Python's own generator (no system call)."""

import random

from flask import g, has_request_context, request


def current_request_id() -> str | None:
    """This request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    request_id = g.get("request_id")
    if request_id is None:
        incoming = request.headers.get("X-Request-ID", "")
        usable = 0 < len(incoming) <= 64 and incoming.isprintable()
        request_id = incoming if usable else f"{random.getrandbits(128):032x}"  # noqa: S311 - not a secret
        g.request_id = request_id
    return request_id
