"""Rate-limit keys on what is attacked (an account, NIK or phone), not only the IP: carriers put thousands of
phones behind one address (CGNAT), and a kelurahan office signs many residents up from one connection."""

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address


def _body_value(*names: str) -> str:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return ""
    for name in names:
        value = body.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return ""


def account_key(*names: str):
    def key() -> str:
        value = _body_value(*names) or get_remote_address()
        return request.endpoint + ":" + hashlib.sha256(value.encode()).hexdigest()[:32]

    return key


def config_limit(name: str):
    return lambda: current_app.config[name]
