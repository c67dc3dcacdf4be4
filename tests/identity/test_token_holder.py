"""Who holds a token is asked of the database on every request (identity/actor.py): a sign-out, a deactivation or a
role change holds from the next request on, whichever process made it, on SQLite with several workers and on
PostgreSQL alike (the suite runs on both)."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import update

from citizen_app.extensions import db
from citizen_app.identity.actor import token_holder
from citizen_app.identity.models import RevokedToken, User
from tests.conftest import HOME, PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_token_holder_reads_the_user_and_the_revocation_in_one_query(app, make_user):
    clerk = make_user("clerk", nip="198001012005011001", title="Kepala Seksi")
    with app.app_context():
        user, revoked = token_holder(clerk.id, "some-jti")
        assert isinstance(user, User) and revoked is False
        assert (user.id, user.role, user.kelurahan_code, user.is_active) == (clerk.id, "clerk", HOME, True)
        assert (user.title, user.nip) == ("Kepala Seksi", "198001012005011001")
        db.session.add(RevokedToken(jti="some-jti", user_id=clerk.id, expires_at=clerk.created_at))
        db.session.flush()
        assert token_holder(clerk.id, "some-jti")[1] is True
        assert token_holder(clerk.id + 10_000, "some-jti") == (None, False)
        db.session.rollback()


def test_a_deactivated_user_is_refused_on_the_next_request(client, make_resident, auth_headers, app):
    resident = make_resident()
    headers = auth_headers(resident)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == resident.id).values(is_active=False))
        db.session.commit()
    res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 401 and res.json["code"] == "unauthorized"


def test_sign_out_holds_at_once(client, make_resident):
    resident = make_resident()
    login = client.post("/api/v1/auth/login", json={"username": resident.phone, "password": PASSWORD})
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 401 and res.json["code"] == "unauthorized"


def _in_another_process(app, code: str) -> None:
    """Run `code` in a separate Python process on the suite's database, with `app`, `db`, `User` and `update`."""
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


CHANGES = [
    ("db.session.execute(update(User).where(User.id == USER).values(is_active=False))", 401),
    ("db.session.execute(update(User).where(User.id == USER).values(role='medic'))", 403),
]


@pytest.mark.parametrize("change, refused_with", CHANGES)
def test_a_change_made_by_another_process_holds_on_the_next_request(
        client, make_resident, auth_headers, app, change, refused_with):
    resident = make_resident()
    headers = auth_headers(resident)
    assert client.get("/api/v1/documents/requests", headers=headers).status_code == 200
    _in_another_process(app, f"USER = {resident.id}\n{change}\ndb.session.commit()\n")
    assert client.get("/api/v1/documents/requests", headers=headers).status_code == refused_with


def test_a_letter_request_prints_the_profile_as_it_is_now(client, make_resident, auth_headers, app):
    resident = make_resident(address="Jl. Lama 1")
    headers = auth_headers(resident)
    body = {"type_code": "domisili", "service_kelurahan_code": HOME, "purpose": "Melamar pekerjaan",
            "fields": {"rt": "001", "rw": "002"}}

    def printed_address() -> str:
        res = client.post("/api/v1/documents/requests", json=body, headers=headers)
        assert res.status_code == 201, res.json
        return res.json["identity"]["address"]

    assert printed_address() == "Jl. Lama 1"
    _in_another_process(app, f"USER = {resident.id}\n"
                             "db.session.execute(update(User).where(User.id == USER).values(address='Jl. Baru 2'))\n"
                             "db.session.commit()\n")
    assert printed_address() == "Jl. Baru 2"


@pytest.fixture
def gunicorn_workers(app):
    """The app under gunicorn with two workers (the deployment's config file) on the suite's database."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = app.config
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "INSTANCE_PATH": config["INSTANCE_PATH"], "KEYS_DIR": config["KEYS_DIR"],
           "UPLOADS_DIR": config["UPLOADS_DIR"], "SECRET_KEY": config["SECRET_KEY"],
           "JWT_SECRET_KEY": config["JWT_SECRET_KEY"], "NIK_KEY": config.get("NIK_KEY", ""),
           "RATELIMIT_ENABLED": "0", "INPROCESS_WORKER": "0", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "-w", "2",
                             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                            cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{base}/healthz", timeout=10)
            break
        except requests.RequestException:
            if time.monotonic() > deadline or proc.poll() is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                raise
            time.sleep(0.2)
    yield base
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def test_with_several_workers_a_sign_out_deactivation_and_role_change_hold_on_the_next_request(
        gunicorn_workers, app, make_resident):
    base = gunicorn_workers
    session = requests.Session()  # keep-alive connections spread over both workers (reuse_port)

    def signed_in(resident) -> dict:
        login = requests.post(f"{base}/api/v1/auth/login", json={"username": resident.phone, "password": PASSWORD},
                              timeout=10)
        assert login.status_code == 200, login.text
        return {"Authorization": f"Bearer {login.json()['access_token']}"}

    def statuses(headers, n=8) -> set:
        # Fresh connections as well as kept ones, so both workers answer.
        return ({requests.get(f"{base}/api/v1/documents/requests", headers=headers, timeout=10).status_code
                 for _ in range(n)}
                | {session.get(f"{base}/api/v1/documents/requests", headers=headers, timeout=10).status_code
                   for _ in range(n)})

    leaving, deactivated, promoted = make_resident(), make_resident(), make_resident()
    tokens = {user.id: signed_in(user) for user in (leaving, deactivated, promoted)}
    assert all(statuses(headers) == {200} for headers in tokens.values())

    assert requests.post(f"{base}/api/v1/auth/logout", headers=tokens[leaving.id], timeout=10).status_code == 204
    with app.app_context():
        db.session.execute(update(User).where(User.id == deactivated.id).values(is_active=False))
        db.session.execute(update(User).where(User.id == promoted.id).values(role="medic"))
        db.session.commit()
    assert statuses(tokens[leaving.id]) == {401}
    assert statuses(tokens[deactivated.id]) == {401}
    assert statuses(tokens[promoted.id]) == {403}
