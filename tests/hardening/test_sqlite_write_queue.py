"""SQLite writers queue on an flock (citizen_app.extensions.WriteQueueConnection) instead of SQLite's sleeping
busy handler: every write lands, reads never queue, and the lock is given back however a transaction ends."""

import fcntl
import os
import shutil
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from citizen_app.extensions import WalCheckpointer, WriteQueueConnection, configure_sqlite


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    configure_sqlite(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, worker INTEGER, n INTEGER)"))
    yield engine
    engine.dispose()


def queue_is_free(engine) -> bool:
    fd = os.open(engine.url.database + "-writequeue", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_file_connections_queue_their_writes(engine):
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, WriteQueueConnection)
        conn.execute(text("SELECT count(*) FROM t")).scalar()
        assert not raw.holding and queue_is_free(engine)  # a read never takes the queue
        conn.execute(text("INSERT INTO t (worker, n) VALUES (0, 0)"))
        assert raw.holding and not queue_is_free(engine)  # held from the first write...
        conn.commit()
        assert not raw.holding and queue_is_free(engine)  # ...to the end of the transaction
        conn.execute(text("UPDATE t SET n = 1"))
        conn.rollback()
        assert not raw.holding and queue_is_free(engine)
        with pytest.raises(IntegrityError):
            conn.execute(text("INSERT INTO t (id, worker, n) VALUES (1, 0, 0)"))  # duplicate key
        conn.rollback()
        assert queue_is_free(engine)


def test_a_connection_closed_mid_transaction_gives_the_queue_back(engine):
    conn = engine.raw_connection()
    conn.cursor().execute("INSERT INTO t (worker, n) VALUES (0, 0)")
    assert not queue_is_free(engine)
    conn.invalidate()  # closes the DBAPI connection, as the pool does with a broken one
    assert queue_is_free(engine)


def test_concurrent_writers_all_land_in_order_of_their_transactions(engine):
    per_worker, workers = 60, 6
    errors = []

    def work(worker):
        try:
            for _ in range(per_worker):
                with engine.begin() as conn:
                    count = conn.execute(text("SELECT count(*) FROM t WHERE worker = :w"), {"w": worker}).scalar()
                    conn.execute(text("INSERT INTO t (worker, n) VALUES (:w, :n)"), {"w": worker, "n": count})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT worker, n FROM t ORDER BY id")).all()
    assert len(rows) == per_worker * workers
    for worker in range(workers):
        assert [n for w, n in rows if w == worker] == list(range(per_worker))
    assert queue_is_free(engine)


def test_memory_databases_have_no_queue():
    engine = create_engine("sqlite://")
    configure_sqlite(engine)
    with engine.connect() as conn:
        assert not isinstance(conn.connection.dbapi_connection, WriteQueueConnection)
    engine.dispose()


def _wait(condition, seconds=10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_the_wal_is_copied_back_by_the_checkpointer_not_by_commits(tmp_path, monkeypatch):
    monkeypatch.setattr(WalCheckpointer, "INTERVAL", 0.05)
    engine = create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    configure_sqlite(engine)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == WalCheckpointer.FALLBACK_PAGES
            conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
        checkpointer = WalCheckpointer.watch(engine.url.database)
        assert WalCheckpointer.watch(engine.url.database) is checkpointer and checkpointer.is_alive()  # one a file
        for n in range(300):  # a commit each, about 600 WAL frames: under the fallback, so no commit copies them
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": f"{n}" * 500})
        before = checkpointer.checkpoints
        assert _wait(lambda: checkpointer.checkpoints >= before + 2)
        # Every committed row is in the database file itself: a copy without its WAL has them all.
        shutil.copy(tmp_path / "wal.db", tmp_path / "alone.db")
        alone = sqlite3.connect(tmp_path / "alone.db")
        assert alone.execute("SELECT count(*) FROM t").fetchone()[0] == 300
        alone.close()
    finally:
        engine.dispose()


def test_the_checkpointer_ends_with_its_database(tmp_path, monkeypatch):
    monkeypatch.setattr(WalCheckpointer, "INTERVAL", 0.02)
    path = tmp_path / "gone.db"
    sqlite3.connect(path).close()
    checkpointer = WalCheckpointer.watch(str(path))
    assert _wait(lambda: checkpointer.checkpoints > 0)
    path.unlink()
    assert _wait(lambda: not checkpointer.is_alive())
    sqlite3.connect(path).close()  # a database there again (a restore): watching it starts a new thread
    again = WalCheckpointer.watch(str(path))
    assert again is not checkpointer and again.is_alive()
    path.unlink()
    assert _wait(lambda: not again.is_alive())


def test_a_stopped_checkpointer_ends_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(WalCheckpointer, "INTERVAL", 30)
    path = tmp_path / "restored.db"
    sqlite3.connect(path).close()
    checkpointer = WalCheckpointer.watch(str(path))
    started = time.monotonic()
    WalCheckpointer.stop(str(path))
    assert not checkpointer.is_alive() and time.monotonic() - started < 5
    WalCheckpointer.stop(str(path))  # none running: nothing to do
