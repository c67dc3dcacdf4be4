"""Extensions, created unbound; create_app() binds them."""

import fcntl
import os
import re
import sqlite3
import threading
from datetime import datetime, timezone
from functools import lru_cache
from weakref import WeakKeyDictionary

from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config as jwt_config
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from citizen_app.api import CitizenApi
from citizen_app.common.epoch import SharedEpoch

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Objects keep their loaded state after commit: a response built right after a commit needs no reload query.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()


class CitizenJWTManager(JWTManager):
    """flask-jwt-extended parses a token four times a request, and PyJWT checks every base64 character of each
    parse in Python. A token never changes, so its verified claims are kept per process (per signing key) and only
    its expiry is checked again. Revocation is the blocklist loader's (identity/actor.token_holder): the database's
    answer, kept on SQLite only until the identity epoch moves."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._verified = lru_cache(maxsize=4096)(self._verify)

    def _verify(self, encoded_token: str, _decode_key) -> dict:
        return super()._decode_jwt_from_config(encoded_token)

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        if csrf_value is not None or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        claims = self._verified(encoded_token, jwt_config.decode_key)
        exp = claims.get("exp")
        if exp is not None and exp <= datetime.now(tz=timezone.utc).timestamp() - jwt_config.leeway:
            # Expired since it was cached: PyJWT raises, with what the expired-token loader is given.
            return super()._decode_jwt_from_config(encoded_token)
        return dict(claims)


def _remember_token_headers() -> None:
    """flask-jwt-extended also reads each token's header again on every request (for the loaders, which ours
    ignore), with PyJWT's per-character base64 checks: a tenth of an authenticated request. A token's header never
    changes, so it is parsed once per process; callers get a copy, and a bad token still raises every time."""
    from flask_jwt_extended import view_decorators

    cached = lru_cache(maxsize=4096)(view_decorators.get_unverified_jwt_headers)

    def get_unverified_jwt_headers(encoded_token: str) -> dict:
        return dict(cached(encoded_token))

    get_unverified_jwt_headers.remembered = True
    view_decorators.get_unverified_jwt_headers = get_unverified_jwt_headers


_remember_token_headers()
jwt = CitizenJWTManager()
api = CitizenApi()
limiter = Limiter(key_func=get_remote_address)


def configure_sqlite(engine) -> None:
    """WAL lets readers run beside the writer; busy_timeout makes writers queue instead of failing.

    A file database also gets a write queue (WriteQueueConnection): SQLite's own busy handler polls with sleeps of
    1 to 100 ms, so under concurrent writes (gunicorn workers × threads) the write lock sat idle while every
    waiter slept, and the waits made the latency tail. An flock on a side file hands the lock over at once.

    And the WAL is copied back into the database by a thread of each process (WalCheckpointer), not by the commit
    that happens to fill it: SQLite's automatic checkpoint runs inside COMMIT, with its fsyncs, while that writer
    still holds the write turn. It made one commit in a hundred take 3-4 ms and half of all commit time."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return
    file_backed = _sqlite_file(engine)

    @event.listens_for(engine, "do_connect")
    def _queue_writes(_dialect, _record, _cargs, cparams):
        if file_backed:
            cparams["factory"] = WriteQueueConnection

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if file_backed:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Only a WAL the checkpointer let grow this far is copied back by a commit (its thread stopped).
            cursor.execute(f"PRAGMA wal_autocheckpoint={WalCheckpointer.FALLBACK_PAGES}")
            dbapi_connection.open_queue(engine.url.database + "-writequeue", _identity_epoch_path(engine))
            WalCheckpointer.watch(engine.url.database)
        cursor.close()


class WalCheckpointer(threading.Thread):
    """Copies a SQLite database's WAL back into it every INTERVAL seconds, on its own connection, off the request
    threads: a PASSIVE checkpoint takes no write lock and never waits, so writers go on while it copies and
    fsyncs, and the WAL stays small (SQLite starts it again from the top once it was all copied back).

    One per database file and process (gunicorn's workers each run theirs; a checkpoint that meets another one
    running just skips its turn). A daemon: it ends with its process, or when its database file is gone."""

    INTERVAL = 0.5
    FALLBACK_PAGES = 10_000  # connections' own wal_autocheckpoint (SQLite's default is 1,000)
    _running: dict[tuple[int, str], "WalCheckpointer"] = {}
    _lock = threading.Lock()

    def __init__(self, path: str):
        super().__init__(name=f"wal-checkpoint {os.path.basename(path)}", daemon=True)
        self.path = path
        self.checkpoints = 0
        self._stopping = threading.Event()

    @classmethod
    def watch(cls, path: str) -> "WalCheckpointer":
        key = (os.getpid(), os.path.abspath(path))  # a thread doesn't survive a fork: each process starts its own
        with cls._lock:
            running = cls._running.get(key)
            if running is None or not running.is_alive():
                running = cls._running[key] = cls(key[1])
                running.start()
            return running

    @classmethod
    def stop(cls, path: str) -> None:
        """End this process's checkpointer of `path` (before the file is replaced, as a restore does)."""
        with cls._lock:
            running = cls._running.pop((os.getpid(), os.path.abspath(path)), None)
        if running is not None:
            running._stopping.set()
            running.join(timeout=10)

    def checkpoint(self, connection) -> tuple[int, int, int]:
        """(busy, frames in the WAL, frames copied back), as SQLite's wal_checkpoint answers."""
        row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.checkpoints += 1
        return row

    def run(self) -> None:
        connection = None
        try:
            while not self._stopping.wait(self.INTERVAL) and os.path.exists(self.path):
                try:
                    if connection is None:
                        connection = sqlite3.connect(self.path, timeout=0, check_same_thread=False)
                    self.checkpoint(connection)
                except sqlite3.Error:  # locked by a restore, or the file going away: try again next turn
                    if connection is not None:
                        connection.close()
                        connection = None
        finally:
            if connection is not None:
                connection.close()


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|BEGIN\s+(IMMEDIATE|EXCLUSIVE))\b", re.I)
# Writes that may change who holds a token: to users or revoked_tokens, or to the schema.
_IDENTITY_WRITE = re.compile(
    r"""\s*(?:(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+["`\[]?"""
    r"""(?:users|revoked_tokens)["`\]]?[\s(]|(?:CREATE|DROP|ALTER)\b)""", re.I)
_writing = threading.local()
_identity_pending = threading.local()  # .box: [how many of this thread's connections hold identity writes]


def _pending_box() -> list:
    box = getattr(_identity_pending, "box", None)
    if box is None:
        box = _identity_pending.box = [0]
    return box


def _sqlite_file(engine) -> bool:
    """A SQLite database in a file (not in memory): the one kind with a write queue and an identity epoch."""
    return (engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")
            and "mode=memory" not in str(engine.url))


def _identity_epoch_path(engine) -> str | None:
    """Beside a file database; None for a database server or an in-memory database, whose writes no
    WriteQueueConnection counts."""
    return os.path.abspath(engine.url.database + "-identity-epoch") if _sqlite_file(engine) else None


_EPOCHS: "WeakKeyDictionary" = WeakKeyDictionary()  # engine -> its identity epoch's path, or None


def identity_epoch(engine) -> SharedEpoch | None:
    """The count of committed changes to users and revoked tokens of `engine`'s database, shared by every process
    that serves it, or None where there is none to trust: a database server or an in-memory database (no
    WriteQueueConnection counts their writes), or while this thread has such a change of its own uncommitted,
    which only the database shows it."""
    try:
        path = _EPOCHS[engine]
    except KeyError:
        path = _EPOCHS[engine] = _identity_epoch_path(engine)
    if path is None or _pending_box()[0]:
        return None
    return SharedEpoch.at(path)


class WriteQueueConnection(sqlite3.Connection):
    """A SQLite connection that takes an exclusive flock before its first write of a transaction and lets go when
    the transaction ends, so writers (threads and processes alike) wait in the kernel and wake the moment the
    previous writer commits. Reads never take it. The lock is per connection (its own open file), like SQLite's.

    It also moves the database's identity epoch on (identity_epoch) when a transaction that wrote to users or
    revoked_tokens commits: whatever writes them, the ORM, Core or a migration, goes through here."""

    queue_fd: int | None = None
    holding = False
    epoch_path: str | None = None
    identity_changed: list | None = None  # while a transaction holds identity writes: its thread's pending box

    def open_queue(self, path: str, epoch_path: str) -> None:
        self.queue_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.epoch_path = epoch_path

    def cursor(self, factory=None):
        return super().cursor(factory or WriteQueueCursor)

    def before_write(self, sql: str) -> None:
        if self.identity_changed is None and _IDENTITY_WRITE.match(sql):
            self.identity_changed = _pending_box()
            self.identity_changed[0] += 1
        if self.holding or self.queue_fd is None:
            return
        if getattr(_writing, "depth", 0):
            # This thread already writes on another connection: queueing behind itself would never end. SQLite's
            # busy timeout decides, as it did without the queue.
            return
        fcntl.flock(self.queue_fd, fcntl.LOCK_EX)
        self.holding = True
        _writing.depth = getattr(_writing, "depth", 0) + 1

    def after_write(self) -> None:
        if self.identity_changed is not None and not self.in_transaction:  # outside a transaction: committed
            self._identity_settled(committed=True)

    def _identity_settled(self, committed: bool) -> None:
        if self.identity_changed is not None:
            self.identity_changed[0] -= 1  # the box of the thread that wrote, whichever thread ends it
            self.identity_changed = None
            if committed and self.epoch_path is not None:
                SharedEpoch.at(self.epoch_path).bump()

    def _done(self) -> None:
        if self.holding:
            self.holding = False
            _writing.depth -= 1
            fcntl.flock(self.queue_fd, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._identity_settled(committed=True)
                self._done()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._identity_settled(committed=False)
            self._done()

    def close(self):
        try:
            super().close()
        finally:
            self._identity_settled(committed=False)
            self._done()
            if self.queue_fd is not None:
                os.close(self.queue_fd)
                self.queue_fd = None


class WriteQueueCursor(sqlite3.Cursor):
    def _run(self, run, sql, parameters):
        if not _WRITE.match(sql):
            return run(sql, parameters)
        self.connection.before_write(sql)
        try:
            return run(sql, parameters)
        finally:
            self.connection.after_write()

    def execute(self, sql, parameters=()):
        return self._run(super().execute, sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self._run(super().executemany, sql, seq_of_parameters)
