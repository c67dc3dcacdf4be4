"""Idempotency-Key for POSTs that create payments or document requests (API.md, Conventions).

The key row is written in the work's own transaction: a concurrent repeat waits on its uniqueness rule and never
runs the work twice, and a process killed mid-request leaves neither the work nor a key that would answer "still
being processed" to every retry (the PWA's offline queue would drop a brigade call that never happened). The
stored response is replayed for repeats with the same body, and a different body gets 409.

The response is stored by a second commit, after the view. A process that dies between the two leaves the work
and its key without an answer, so the key also notes, in the work's transaction, which record the work created
(`resource_id`, set when the first new instance of the endpoint's `resource` class is flushed). A retry of such a
key rebuilds the answer: the endpoint's `render(actor, resource_id)` returns what the view would have returned,
the endpoint's response schema serialises it, and the answer is stored for later repeats. A key with neither an
answer nor a record is work still running (or a view that created nothing): 409, as before.
"""

import functools
import hashlib
import json

from flask import current_app, jsonify, request
from flask_jwt_extended import current_user
from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citizen_app.common.models import IdempotencyKey
from citizen_app.errors import ApiError, Conflict, field_error
from citizen_app.extensions import db

_WATCH = "idempotency_watch"  # Session.info: the key row of the request running in this session, and its class


class _Watch:
    """The request's key `record` and the class of record its work creates."""

    __slots__ = ("record", "resource", "resource_id")

    def __init__(self, record: IdempotencyKey, resource: type):
        self.record = record
        self.resource = resource
        self.resource_id = None


@event.listens_for(Session, "after_flush")
def _note_created(session, _flush_context):
    watch = session.info.get(_WATCH)
    if watch is None or watch.resource_id is not None:
        return
    for instance in session.new:  # still the flushed ones here, their primary keys already set
        if isinstance(instance, watch.resource):
            watch.resource_id = instance.id
            return


@event.listens_for(Session, "after_flush_postexec")
def _record_created(session, _flush_context):
    # Changed after the flush, not during it: the next flush writes it, at the latest the commit that commits
    # the work (commit flushes until nothing is left), so the key and its record are committed together.
    watch = session.info.get(_WATCH)
    if watch is not None and watch.resource_id is not None:
        del session.info[_WATCH]
        watch.record.resource_id = watch.resource_id


def _request_hash() -> str:
    body = request.get_data(cache=True) or b""
    return hashlib.sha256(request.path.encode() + b"\0" + body).hexdigest()


def idempotent(view=None, *, resource: type | None = None, render=None):
    """Wrap a view returning (payload, status) so a repeated Idempotency-Key replays the first response.

    `@idempotent(resource=Model, render=lookup)` also lets a retry rebuild an answer that was lost after the work
    committed: `lookup(actor, id)` returns the created record as the view would have (as its GET does). Place it
    above the flask-smorest `arguments` and `response` decorators; the success status and schema are theirs.

    The key row is flushed before the view runs, in the transaction the view commits with its work, so a
    concurrent repeat waits on the key's uniqueness and never starts the work."""
    if view is None:
        return functools.partial(idempotent, resource=resource, render=render)
    if (resource is None) != (render is None):
        raise TypeError("idempotent: resource and render go together")
    success = _success_response(view) if render is not None else None

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not (0 < len(key) <= 100 and key.isprintable()):
            raise field_error("Idempotency-Key", "Idempotency-Key must be 1 to 100 printable characters.")
        user_id = current_user.id
        digest = _request_hash()
        existing = _find(user_id, key)
        record = None
        if existing is None:
            record = IdempotencyKey(user_id=user_id, key=key, endpoint=request.path, request_hash=digest)
            db.session.add(record)
            try:
                db.session.flush()  # committed by the view, with the work
            except IntegrityError:
                db.session.rollback()
                existing = _find(user_id, key)
        if existing is not None:
            return _replay(existing, digest, render, success)
        if resource is not None:
            db.session.info[_WATCH] = _Watch(record, resource)
        try:
            result = view(*args, **kwargs)
        except ApiError:
            # A refused request did nothing: free the key so a corrected retry can use it.
            record_id = record.id
            db.session.rollback()
            if record_id is not None:  # the view had committed
                db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == record_id))
                db.session.commit()
            raise
        finally:
            db.session.info.pop(_WATCH, None)
        response = _as_response(result)
        _store(db.session.get(IdempotencyKey, record.id), response)
        return response

    return wrapper


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))


def _replay(existing: IdempotencyKey, digest: str, render, success):
    """The answer for a key seen before: its stored response, or one rebuilt from the record its work created."""
    if existing.request_hash != digest:
        raise Conflict("Idempotency-Key was already used with a different request.")
    if existing.status_code is None:
        if existing.resource_id is None or success is None:
            raise Conflict("A request with this Idempotency-Key is still being processed.")
        response = _rebuild(existing, render, *success, current_user._get_current_object())
    else:
        response = jsonify(existing.response_body)
        response.status_code = existing.status_code
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _store(record: IdempotencyKey, response) -> None:
    record.status_code = response.status_code
    record.response_body = json.loads(response.get_data(as_text=True) or "null")
    db.session.commit()


def _rebuild(record: IdempotencyKey, render, status: int, schema, actor):
    """The answer the view gave for the record it created, built again: the process died before storing it."""
    response = jsonify(schema.dump(render(actor, record.resource_id)))
    response.status_code = status
    _store(record, response)
    return response


def _success_response(view) -> tuple[int, object]:
    """The success status and schema flask-smorest's `response` decorator noted on the view."""
    doc = getattr(view, "_apidoc", {})
    codes = doc.get("success_status_codes") or []
    entries = doc.get("response", {}).get("responses", {}).get(codes[0], []) if len(codes) == 1 else []
    schema = entries[0].get("schema") if len(entries) == 1 else None
    if not hasattr(schema, "dump"):
        raise TypeError(f"idempotent({view.__name__}): render needs one success response with a schema below it")
    return int(codes[0]), schema


def _as_response(result):
    return current_app.make_response(result)
