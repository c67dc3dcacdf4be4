"""Idempotency-Key for POSTs that create payments or document requests (API.md, Conventions).

The key row is written in the work's own transaction: a concurrent repeat waits on its uniqueness rule and never
runs the work twice, and a process killed mid-request leaves neither the work nor a key that would answer "still
being processed" to every retry (the PWA's offline queue would drop a brigade call that never happened). The
stored response is replayed for repeats with the same body, and a different body gets 409.
"""

import functools
import hashlib
import json

from flask import jsonify, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from citizen_app.common.models import IdempotencyKey
from citizen_app.errors import ApiError, Conflict, field_error
from citizen_app.extensions import db


def _request_hash() -> str:
    body = request.get_data(cache=True) or b""
    return hashlib.sha256(request.path.encode() + b"\0" + body).hexdigest()


def idempotent(view):
    """Wrap a view returning (payload, status) so a repeated Idempotency-Key replays the first response."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        from citizen_app.identity.permissions import current_actor

        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not (0 < len(key) <= 100 and key.isprintable()):
            raise field_error("Idempotency-Key", "Idempotency-Key must be 1 to 100 printable characters.")
        user_id = current_actor().id
        digest = _request_hash()
        existing = db.session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        )
        if existing is None:
            record = IdempotencyKey(user_id=user_id, key=key, endpoint=request.path, request_hash=digest)
            db.session.add(record)
            try:
                db.session.flush()  # committed by the view, with the work
            except IntegrityError:
                db.session.rollback()
                existing = db.session.scalar(
                    select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
                )
        if existing is not None:
            if existing.request_hash != digest:
                raise Conflict("Idempotency-Key was already used with a different request.")
            if existing.status_code is None:
                raise Conflict("A request with this Idempotency-Key is still being processed.")
            response = jsonify(existing.response_body)
            response.status_code = existing.status_code
            response.headers["Idempotent-Replayed"] = "true"
            return response
        record_id = record.id
        try:
            result = view(*args, **kwargs)
        except ApiError:
            # A refused request did nothing: free the key so a corrected retry can use it.
            db.session.rollback()
            db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == record_id))  # if the view committed
            db.session.commit()
            raise
        response = _as_response(result)
        stored = db.session.get(IdempotencyKey, record_id)
        stored.status_code = response.status_code
        stored.response_body = json.loads(response.get_data(as_text=True) or "null")
        db.session.commit()
        return response

    return wrapper


def _as_response(result):
    from flask import current_app

    return current_app.make_response(result)
