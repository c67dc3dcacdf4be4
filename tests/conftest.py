"""Fixtures: app, client, runner, make_user, make_resident, auth_headers, login.

The suite runs on SQLite (a file, so threads get real connections) unless TEST_DATABASE_URL points at
PostgreSQL, as .ci/run does. Tables are emptied after each test; the city pack is reloaded (idempotent)."""

import itertools
import os
from datetime import date

import pytest

from citizen_app import create_app
from citizen_app.cities.services import load_city
from citizen_app.extensions import db, limiter
from citizen_app.identity.models import User
from citizen_app.identity.nik import make_nik
from citizen_app.identity.services import create_staff, issue_tokens, register_resident
from citizen_app.stats.common import cache as stats_cache

PASSWORD = "rahasia-123"
KEEP_TABLES = {"cities", "kecamatan", "kelurahan", "alembic_version"}
HOME = "53.71.05.1005"  # Naikoten I, Kelapa Lima? (any Kupang kelurahan works)
OTHER = "53.71.01.1001"  # Namosain, Alak


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture(scope="session")
def app(db_url, tmp_path_factory):
    from config import _database_url

    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=_database_url(db_url) if db_url.startswith("postgres") else db_url,
        INSTANCE_PATH=str(instance),
        KEYS_DIR=str(instance / "keys"),
        UPLOADS_DIR=str(instance / "uploads"),
    )
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
        load_city("kupang")
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _fingerprint(conn, tables) -> dict:
    return {t.name: hash(repr(conn.execute(t.select().order_by(*t.primary_key.columns)).all())) for t in tables}


@pytest.fixture(scope="session")
def _pack_tables(app):
    """Tables the city pack fills (letter types, permits, zones…): kept between tests, reloaded only when a test
    changed them. Everything else is emptied after every test."""
    with app.app_context(), db.engine.connect() as conn:
        tables = [t for t in db.metadata.sorted_tables
                  if t.name not in KEEP_TABLES and conn.execute(t.select().limit(1)).first() is not None]
        return tables, _fingerprint(conn, tables)


@pytest.fixture(autouse=True)
def _clean(app, _pack_tables):
    yield
    pack_tables, pristine = _pack_tables
    with app.app_context():
        db.session.remove()
        # DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs far more than emptying a few rows.
        with db.engine.begin() as conn:
            changed = _fingerprint(conn, pack_tables) != pristine
            # A changed pack row may point at test data (a permit version's author), so both go, children first.
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in KEEP_TABLES and (changed or table not in pack_tables):
                    conn.execute(table.delete())
        if changed:
            load_city("kupang")
        limiter.reset()
        stats_cache.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_serial = itertools.count(1)


@pytest.fixture
def make_resident(app):
    def make(**overrides) -> User:
        n = next(_serial)
        gender = overrides.pop("gender", "male")
        birth = overrides.pop("birth_date", date(1985, 3, 14))
        data = {
            "nik": make_nik("53.71.05", birth, gender, n),
            "full_name": f"Warga {n}",
            "birth_date": birth,
            "gender": gender,
            "phone": f"0812{n:08d}",
            "password": PASSWORD,
            "kelurahan_code": HOME,
            "address": "Jl. Sudirman 1",
            "rt": "001",
            "rw": "002",
        }
        data.update(overrides)
        with app.app_context():
            user = register_resident(data)
            db.session.refresh(user)
            db.session.expunge(user)
            user.nik_plain = data["nik"]
            return user

    return make


@pytest.fixture
def make_user(app, make_resident):
    def make(role: str = "resident", **overrides) -> User:
        if role == "resident":
            return make_resident(**overrides)
        n = next(_serial)
        data = {"username": f"{role}{n}", "password": PASSWORD, "role": role, "full_name": f"{role} {n}"}
        if role in ("clerk", "lurah"):
            data["kelurahan_code"] = HOME
        if role == "lurah":
            data.update(nip=f"19800101{n:010d}", title="Lurah")
        data.update(overrides)
        with app.app_context():
            user = create_staff(None, data)
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def auth_headers(app):
    def headers(user: User, **extra) -> dict:
        with app.app_context():
            tokens = issue_tokens(db.session.get(User, user.id))
        return {"Authorization": f"Bearer {tokens['access_token']}", **extra}

    return headers
