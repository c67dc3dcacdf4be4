"""How requests use the database (citizen_app/database.py) and the city-pack rows a worker keeps (cities/rows.py)."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import select, update

from citizen_app.cities import rows
from citizen_app.cities.services import load_city
from citizen_app.documents.catalogue import letter_type
from citizen_app.documents.models import LetterType
from citizen_app.extensions import db
from tests.conftest import HOME, is_postgres

LETTER = {"type_code": "domisili", "service_kelurahan_code": HOME, "purpose": "Melamar pekerjaan",
          "fields": {"rt": "001", "rw": "002"}}


@pytest.fixture
def sqlite_file(app):
    if is_postgres(app):
        pytest.skip("SQLite's write lock: PostgreSQL readers and writers never wait on one")
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def test_reads_answer_while_a_writer_holds_sqlites_lock_and_writes_wait_for_it(
        sqlite_file, client, make_resident, auth_headers):
    resident = make_resident()
    headers = auth_headers(resident)
    assert client.post("/api/v1/documents/requests", json=LETTER, headers=headers).status_code == 201
    writer = sqlite3.connect(sqlite_file, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        started = time.monotonic()
        listed = client.get("/api/v1/documents/requests", headers=headers)
        assert listed.status_code == 200 and listed.json["total"] == 1
        checked = client.post("/api/v1/documents/verify", json={"qr": "not a letter"})  # a POST that only reads
        assert checked.status_code == 200 and checked.json["result"] == "invalid"
        assert time.monotonic() - started < 5  # neither waited for the lock (the busy timeout is 30 s)
        threading.Timer(0.5, writer.rollback).start()
        created = client.post("/api/v1/documents/requests", json=LETTER, headers=headers)
        assert created.status_code == 201  # waited for its turn, then wrote
    finally:
        writer.close()
    assert client.get("/api/v1/documents/requests", headers=headers).json["total"] == 2


def test_a_kept_city_pack_row_is_a_copy_in_each_session_and_a_pack_load_forgets_it(app, monkeypatch):
    monkeypatch.setitem(app.config, "CITY_PACK_RECHECK_SECONDS", 60)
    with app.app_context():
        first = letter_type("domisili")
        db.session.execute(update(LetterType).where(LetterType.id == first.id).values(name="Nama Lain"))
        db.session.commit()
    with app.app_context():
        kept = letter_type("domisili")
        assert kept.name != "Nama Lain"  # kept for the recheck time
        assert kept in db.session and kept is not first  # this session's own copy, from no query
        load_city("kupang")  # this process loaded a pack: what it kept is read again
        assert letter_type("domisili").name == db.session.scalar(
            select(LetterType.name).where(LetterType.id == first.id))
    monkeypatch.setitem(app.config, "CITY_PACK_RECHECK_SECONDS", 0)
    with app.app_context():
        db.session.execute(update(LetterType).where(LetterType.id == first.id).values(name="Nama Lain"))
        db.session.commit()
        assert letter_type("domisili").name == "Nama Lain"  # nothing kept: read every time


def test_a_missing_row_is_not_kept(app, monkeypatch):
    monkeypatch.setitem(app.config, "CITY_PACK_RECHECK_SECONDS", 60)
    statement = select(LetterType).where(LetterType.code == "no-such-type")
    with app.app_context():
        assert rows.kept(statement, {}, ("test", "missing")) is None
        assert ("test", "missing") not in app.extensions["city_pack_rows"]
