"""Who is signed in, as each request's checks see them: read with the token's revocation in one prepared query, and
on SQLite kept by each worker until a user or a revocation changes (the identity epoch)."""

import time

from sqlalchemy import bindparam, select

from citizen_app.common.memory import Kept
from citizen_app.common.sql import Prepared
from citizen_app.extensions import db, identity_epoch
from citizen_app.identity.models import RevokedToken, User

# What authorisation and the services read of the signed-in user on nearly every request.
ACTOR_COLUMNS = ("id", "role", "is_active", "full_name", "kelurahan_code", "zone_code", "team_id", "title", "nip")


class Actor:
    """The signed-in user's id, role and scope, without an ORM object: every authenticated request builds one,
    and loading a User costs more than the query that finds it.

    Any other attribute (the profile, for a letter's identity block or the /me answer) is read from the User
    record, loaded on first use. Code that changes the user works on `record`; an Actor's own attributes are
    read-only."""

    __slots__ = (*ACTOR_COLUMNS, "_record")

    def __init__(self, values):
        for name, value in zip(ACTOR_COLUMNS, values, strict=True):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_record", None)

    @property
    def record(self) -> User:
        if self._record is None:
            object.__setattr__(self, "_record", db.session.get(User, self.id))
        return self._record

    def __getattr__(self, name):  # only for names that are not the Actor's own
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.record, name)

    def __setattr__(self, name, value):
        raise AttributeError(f"Actor is read-only; change Actor.record.{name} instead")

    def __repr__(self) -> str:
        return f"<Actor {self.id} {self.role}>"


_HOLDER = Prepared(
    select(*(getattr(User, name) for name in ACTOR_COLUMNS),
           select(RevokedToken.jti).where(RevokedToken.jti == bindparam("jti")).exists())
    .where(User.id == bindparam("user_id"))
)


# What a worker read of users and revocations: (what, database, *key) -> (identity epoch, when read, the row).
_HELD = Kept(8192)
# However the epoch reads, a worker reads a row again after this long: a process that died between committing a
# revocation and moving the epoch on (a moment's window) leaves other workers out of date this long at most.
RECHECK_SECONDS = 5.0


def identity_row(query: Prepared, params: dict, key: tuple, connection=None):
    """`query.first(params, connection)`, a read of users and revoked tokens only, as the database answers it.

    On SQLite the answer is kept by the worker, under `key`, until the identity epoch moves, which every committed
    write to users or revoked_tokens does, in any process: a revocation, a deactivation or a changed profile holds
    from the next request on, as when each request asked the database. The epoch is read before the database, so
    an answer is never kept under a newer epoch than the rows it was read from."""
    epoch = identity_epoch(db.engine)
    if epoch is None:
        return query.first(params, connection)
    seen, now = epoch.read(), time.monotonic()
    key = (epoch.path, *key)
    held = _HELD.get(key)
    if held is not None and held[0] == seen and now - held[1] < RECHECK_SECONDS:
        return held[2]
    row = query.first(params, connection)
    _HELD.put(key, (seen, now, row))
    return row


def token_holder(user_id: int, jti: str) -> tuple[Actor | None, bool]:
    """The user a token names and whether the token is revoked, in one query (kept as identity_row keeps it):
    every authenticated request asks."""
    row = identity_row(_HOLDER, {"user_id": user_id, "jti": jti}, ("holder", user_id, jti))
    if row is None:
        return None, False
    return Actor(row[:-1]), bool(row[-1])
