"""Push settings: app.config wins, then the environment variable of the same name, then these defaults."""

import os

from flask import current_app

DEFAULTS = {
    "VAPID_SUBJECT": "",  # empty: mailto:admin@<city>.go.id
    "PUSH_TTL_SECONDS": 24 * 3600,  # how long a push service keeps a message for an offline phone
    "PUSH_TTL_HIGH_SECONDS": 3600,  # "the brigade is on its way" is worthless a few hours later
    "PUSH_TIMEOUT_SECONDS": 10.0,
    "PUSH_MAX_ATTEMPTS": 5,
    "PUSH_BACKOFF_SECONDS": 30.0,
    "PUSH_BACKOFF_MAX_SECONDS": 3600.0,
    "PUSH_LEASE_SECONDS": 120.0,
    "PUSH_BATCH_SIZE": 200,
    "PUSH_CONCURRENCY": 16,
    "PUSH_POLL_SECONDS": 2.0,
    "PUSH_MAX_DEVICES": 10,
    "PUSH_ENDPOINT_HOSTS": "",  # production: comma-separated host suffixes allowed as endpoints; empty: any
}


def setting(name: str):
    if name in current_app.config:
        return current_app.config[name]
    default = DEFAULTS[name]
    value = os.environ.get(name)
    return default if value is None else type(default)(value)
