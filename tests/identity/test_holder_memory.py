"""On SQLite a worker keeps who holds each token (identity/actor.py) until the identity epoch moves: every committed
write to users or revoked_tokens moves it, in whichever process (extensions.WriteQueueConnection). A revocation, a
deactivation or a role change holds from the next request on, in every worker, as when each request asked."""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update

from citizen_app.common.epoch import SharedEpoch
from citizen_app.extensions import configure_sqlite, db, identity_epoch
from citizen_app.identity import actor as actor_module
from citizen_app.identity.models import User
from tests.conftest import HOME, PASSWORD, is_postgres

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_only(app):
    if is_postgres(app):
        pytest.skip("the identity epoch is SQLite's: a database server's clients may be on other hosts")


def counted_reads(monkeypatch, module, name: str, key: str) -> list:
    """The `key` parameter of each read the prepared query `module.name` makes from now on."""
    reads = []
    real = getattr(module, name)

    class Counting:
        def first(self, params, *args, **kwargs):
            reads.append(params[key])
            return real.first(params, *args, **kwargs)

    monkeypatch.setattr(module, name, Counting())
    return reads


@pytest.fixture
def holder_reads(monkeypatch):
    """The users whose token holder was read from the database."""
    return counted_reads(monkeypatch, actor_module, "_HOLDER", "user_id")


def test_the_epoch_is_shared_and_no_bump_is_lost(tmp_path):
    path = str(tmp_path / "epoch")
    one, other = SharedEpoch(path), SharedEpoch(path)  # as two processes map it
    assert one.read() == other.read() == 0
    one.bump()
    assert other.read() == 1

    def bump_many(epoch):
        for _ in range(300):
            epoch.bump()

    threads = [threading.Thread(target=bump_many, args=(e,)) for e in (one, other, one, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert one.read() == other.read() == 1 + 4 * 300


def test_committed_identity_writes_move_the_epoch_and_nothing_else_does(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'id.db'}")
    configure_sqlite(engine)
    epoch = identity_epoch(engine)
    with engine.begin() as conn:  # the schema is written: what was kept may not hold any more
        conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, is_active INTEGER)"))
        conn.execute(text("CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE letters (id INTEGER PRIMARY KEY)"))
    moved = epoch.read()
    assert moved > 0

    with engine.begin() as conn:
        conn.execute(text("INSERT INTO letters (id) VALUES (1)"))
        conn.execute(text("SELECT * FROM users")).all()
    assert epoch.read() == moved  # other tables and reads leave it

    with engine.connect() as conn:
        conn.execute(text('INSERT INTO "users" (id, is_active) VALUES (1, 1)'))
        assert epoch.read() == moved  # not before the commit...
        assert identity_epoch(engine) is None  # ...and this thread reads the database, which shows its own write
        conn.commit()
    assert epoch.read() == moved + 1 and identity_epoch(engine) is epoch

    with engine.connect() as conn:
        conn.execute(text("UPDATE users SET is_active = 0"))
        conn.rollback()
    assert epoch.read() == moved + 1  # a rolled back write changed nothing

    for statement in ("UPDATE users SET is_active = 0 WHERE id = 1", "INSERT INTO revoked_tokens (jti) VALUES ('j')",
                      "DELETE FROM users WHERE id = 1"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    assert epoch.read() == moved + 4

    raw = engine.raw_connection()
    raw.dbapi_connection.isolation_level = None  # autocommit: the statement is committed as it runs
    raw.cursor().execute("INSERT INTO revoked_tokens (jti) VALUES ('k')")
    assert epoch.read() == moved + 5 and identity_epoch(engine) is epoch
    raw.close()
    engine.dispose()


def test_a_database_server_or_memory_has_no_epoch(app):
    assert identity_epoch(create_engine("sqlite://")) is None
    assert identity_epoch(create_engine("postgresql+psycopg://nobody@127.0.0.1/none")) is None


def test_a_worker_asks_the_database_once_per_token_until_the_epoch_moves(
        sqlite_only, client, make_resident, auth_headers, holder_reads, app):
    resident = make_resident()
    headers = auth_headers(resident)
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert holder_reads == [resident.id]
    with app.app_context():
        db.session.execute(update(User).where(User.id == resident.id).values(full_name="Nama Baru"))
        db.session.commit()
    res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 200 and res.json["full_name"] == "Nama Baru"
    assert holder_reads == [resident.id, resident.id]


def test_sign_out_holds_at_once(sqlite_only, client, make_resident):
    resident = make_resident()
    login = client.post("/api/v1/auth/login", json={"username": resident.phone, "password": PASSWORD})
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # now kept
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 401 and res.json["code"] == "unauthorized"


def _in_another_process(app, code: str) -> None:
    """Run `code` in a separate Python process on the suite's database, with `app`, `db` and `User` at hand."""
    script = textwrap.dedent(f"""
        from citizen_app import create_app
        from citizen_app.extensions import db
        from citizen_app.identity.models import User
        from sqlalchemy import update
        app = create_app("testing", SQLALCHEMY_DATABASE_URI={app.config["SQLALCHEMY_DATABASE_URI"]!r},
                         INSTANCE_PATH={app.config["INSTANCE_PATH"]!r}, KEYS_DIR={app.config["KEYS_DIR"]!r},
                         UPLOADS_DIR={app.config["UPLOADS_DIR"]!r})
        with app.app_context():
    """) + textwrap.indent(textwrap.dedent(code), "    ")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("change, refused_with", [
    ("db.session.execute(update(User).where(User.id == USER).values(is_active=False))", 401),
    ("db.session.execute(update(User).where(User.id == USER).values(role='medic'))", 403),
])
def test_a_change_made_by_another_process_holds_on_the_next_request(
        sqlite_only, client, make_resident, auth_headers, holder_reads, app, change, refused_with):
    resident = make_resident()
    headers = auth_headers(resident)
    assert client.get("/api/v1/documents/requests", headers=headers).status_code == 200
    assert client.get("/api/v1/documents/requests", headers=headers).status_code == 200
    assert holder_reads == [resident.id]  # kept by this process
    _in_another_process(app, f"USER = {resident.id}\n{change}\ndb.session.commit()\n")
    assert client.get("/api/v1/documents/requests", headers=headers).status_code == refused_with


def test_a_write_no_connection_of_ours_counted_holds_after_the_recheck_time(
        sqlite_only, client, make_resident, auth_headers, holder_reads, app, monkeypatch):
    resident = make_resident()
    headers = auth_headers(resident)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    import sqlite3

    outside = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    outside.execute("UPDATE users SET is_active = 0 WHERE id = ?", (resident.id,))
    outside.commit()
    outside.close()
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # kept: nothing moved the epoch
    monkeypatch.setattr(actor_module, "RECHECK_SECONDS", 0.0)  # as RECHECK_SECONDS later
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_letter_request_prints_the_profile_as_it_is_now(sqlite_only, client, make_resident, auth_headers, app,
                                                         monkeypatch):
    from citizen_app.documents import services

    reads = counted_reads(monkeypatch, services, "_PROFILE", "id")
    resident = make_resident(address="Jl. Lama 1")
    headers = auth_headers(resident)
    body = {"type_code": "domisili", "service_kelurahan_code": HOME, "purpose": "Melamar pekerjaan",
            "fields": {"rt": "001", "rw": "002"}}

    def printed_address() -> str:
        res = client.post("/api/v1/documents/requests", json=body, headers=headers)
        assert res.status_code == 201, res.json
        return res.json["identity"]["address"]

    assert printed_address() == printed_address() == "Jl. Lama 1"
    assert reads == [resident.id]  # kept by this worker
    _in_another_process(app, f"USER = {resident.id}\n"
                             "db.session.execute(update(User).where(User.id == USER).values(address='Jl. Baru 2'))\n"
                             "db.session.commit()\n")
    assert printed_address() == "Jl. Baru 2"
