"""Prepared reads: the driver's cursor, with the columns' conversions and SQLAlchemy's errors."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, bindparam, select
from sqlalchemy.exc import DBAPIError

from citizen_app.common.sql import Prepared
from citizen_app.extensions import db
from citizen_app.identity.models import User


def test_rows_keep_the_column_types_and_see_the_sessions_transaction(app, make_resident):
    resident = make_resident()
    query = Prepared(select(User.id, User.created_at, User.is_active).where(User.id == bindparam("id")))
    with app.app_context():
        user_id, created, active = query.first({"id": resident.id})
        assert user_id == resident.id and active is True
        assert isinstance(created, datetime) and created.tzinfo is not None
        assert created.astimezone(UTC) == resident.created_at.astimezone(UTC)
        db.session.get(User, resident.id).full_name = "Nama Baru"
        db.session.flush()  # not committed: the prepared read runs in the same transaction
        assert Prepared(select(User.full_name).where(User.id == bindparam("id"))).rows({"id": resident.id}) == [
            ("Nama Baru",)]
        db.session.rollback()
        assert query.first({"id": -1}) is None


def test_a_driver_error_comes_out_as_sqlalchemys(app):
    missing = Table("no_such_table", MetaData(), Column("id", Integer), Column("at", DateTime))
    with app.app_context():
        with pytest.raises(DBAPIError):
            Prepared(select(missing.c.id)).rows({})
        db.session.rollback()


def test_connections_are_pinged_before_use_on_a_database_server_only(tmp_path):
    from citizen_app import create_app

    sqlite = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db", INSTANCE_PATH=str(tmp_path))
    assert sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    server = create_app("testing", SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u@127.0.0.1:1/x",
                        INSTANCE_PATH=str(tmp_path))
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    chosen = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db", INSTANCE_PATH=str(tmp_path),
                        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    assert chosen.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_prepared_insert_converts_first_and_writes_in_the_sessions_transaction(app, make_resident):
    from citizen_app.audit.models import AuditEntry
    from citizen_app.common.sql import PreparedInsert

    resident = make_resident()
    at = datetime(2026, 12, 4, 10, 30, 0, 123456, tzinfo=UTC)
    insert_entry = PreparedInsert(AuditEntry.__table__, ("actor_id", "action", "entity_type", "entity_id", "data",
                                                          "request_id", "created_at"))
    with app.app_context():
        bound = insert_entry.bind({"actor_id": resident.id, "action": "test.prepared", "entity_type": "thing",
                                   "entity_id": "0", "data": {"kata": "sandi", "n": 1}, "request_id": None,
                                   "created_at": at})
        assert bound["data"] != {"kata": "sandi", "n": 1}  # the driver gets JSON text, not the dict
        first = insert_entry.run(bound)
        second = insert_entry.run(bound, entity_id="42")  # a late value replaces the bound one, unconverted
        assert second > first
        db.session.rollback()  # both were in the session's transaction
        assert db.session.get(AuditEntry, first) is None
        entry_id = insert_entry.run(bound, entity_id="7")
        db.session.commit()
        saved = db.session.get(AuditEntry, entry_id)
        assert (saved.entity_id, saved.data, saved.actor_id) == ("7", {"kata": "sandi", "n": 1}, resident.id)
        assert saved.created_at.astimezone(UTC) == at
        db.session.delete(saved)
        db.session.commit()


def test_prepared_insert_refuses_to_skip_a_default_and_raises_sqlalchemys_errors(app):
    from sqlalchemy.exc import IntegrityError

    from citizen_app.audit.models import AuditEntry
    from citizen_app.common.sql import PreparedInsert

    with pytest.raises(TypeError, match="created_at"):
        PreparedInsert(AuditEntry.__table__, ("actor_id", "action", "entity_type", "entity_id"))
    no_action = PreparedInsert(AuditEntry.__table__, ("actor_id", "entity_type", "entity_id", "created_at"))
    with app.app_context():
        bound = no_action.bind({"actor_id": None, "entity_type": "thing", "entity_id": "1",
                                "created_at": datetime.now(UTC)})
        with pytest.raises(IntegrityError):  # action is NOT NULL
            no_action.run(bound)
        db.session.rollback()


def test_utc_iso_text_writes_what_isoformat_writes(app):
    from citizen_app.common.types import UTCDateTime, utc_iso_text

    table = Table("iso_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    moments = [datetime(2026, 12, 4, 3, 28, 48, 123456, tzinfo=UTC), datetime(2026, 1, 2, 0, 0, 0, tzinfo=UTC),
               datetime(2026, 7, 1, 23, 59, 59, 1, tzinfo=UTC)]
    with app.app_context():
        connection = db.session.connection()
        dialect = connection.dialect
        iso = utc_iso_text(dialect)
        table.create(connection)
        try:
            for i, moment in enumerate(moments):
                connection.execute(table.insert().values(id=i, at=moment))
            raw = Prepared(select(table.c.at).order_by(table.c.id), raw=(0,)).rows({})
            assert [iso(value) for (value,) in raw] == [m.isoformat() for m in moments]
            assert iso(None) is None
            if dialect.name == "sqlite":  # text another writer stored, not in SQLAlchemy's format, is parsed
                assert iso("2026-12-04 03:28:48") == "2026-12-04T03:28:48+00:00"
                assert iso("2026-12-04 03:28:48.5") == "2026-12-04T03:28:48.500000+00:00"
            assert Prepared(select(table.c.id, table.c.at).order_by(table.c.id)).first({}).at == moments[0]
        finally:
            db.session.rollback()
            table.drop(db.engine, checkfirst=True)


def test_a_get_on_sqlite_reads_apart_from_the_session_and_anything_else_inside_it(app, make_resident, tmp_path):
    from citizen_app import create_app
    from citizen_app.common.sql import _reads_apart, session_free

    resident = make_resident()
    query = Prepared(select(User.full_name).where(User.id == bindparam("id")))
    file_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    with app.test_request_context("/api/v1/documents/requests", method="GET"):
        assert query.rows({"id": resident.id}) == [(resident.full_name,)]
        # On a SQLite file no session was opened for it (the pool's connection was used and given back)
        assert db.session.registry.has() is not file_sqlite
        db.session.get(User, resident.id).full_name = "Nama Baru"
        db.session.flush()  # the session has begun: reads go inside its transaction and see its writes
        assert _reads_apart() is None and query.rows({"id": resident.id}) == [("Nama Baru",)]
        db.session.rollback()
    with app.test_request_context("/api/v1/documents/requests", method="POST"):
        assert _reads_apart() is None  # a request that may write reads in the session it will write in
        assert query.rows({"id": resident.id}) == [(resident.full_name,)] and db.session.registry.has()
    with app.test_request_context("/api/v1/parking/sessions", method="POST"):
        session_free(lambda: None)()  # a view that writes apart: its reads go apart too
        assert (_reads_apart() is not None) is file_sqlite
    memory = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", INSTANCE_PATH=str(tmp_path))
    with memory.test_request_context("/", method="GET"):
        assert _reads_apart() is None  # one connection per thread: giving it back would roll back the thread's


def test_write_apart_commits_at_the_end_and_rolls_back_on_error(app, make_resident):

    from sqlalchemy.exc import IntegrityError

    from citizen_app.audit.models import AuditEntry
    from citizen_app.audit.services import entry, write
    from citizen_app.common.sql import write_apart

    resident = make_resident()

    def logged(action):
        with app.app_context():
            return db.session.query(AuditEntry).filter_by(action=action).count()

    with app.test_request_context("/api/v1/parking/sessions", method="POST"):
        with write_apart() as connection:
            write(entry(resident.id, "test.apart", "thing", 1, connection=connection), connection=connection)
        assert not db.session.registry.has()  # the session was never opened
    assert logged("test.apart") == 1
    with app.app_context(), pytest.raises(RuntimeError), write_apart() as connection:
        write(entry(resident.id, "test.apart_undone", "thing", 1, connection=connection), connection=connection)
        raise RuntimeError("refused after the INSERT")
    assert logged("test.apart_undone") == 0
    with app.app_context(), pytest.raises(IntegrityError), write_apart() as connection:
        bad = entry(resident.id, "test.apart_bad", "thing", 1, connection=connection)
        write({**bad, "actor_id": 10**9}, connection=connection)  # no such user: the foreign key refuses it
    assert logged("test.apart_bad") == 0


def test_write_aparts_commit_error_comes_out_as_sqlalchemys_and_frees_the_connection(app, make_resident,
                                                                                    monkeypatch):
    from citizen_app.audit.models import AuditEntry
    from citizen_app.audit.services import entry, write
    from citizen_app.common.sql import write_apart

    resident = make_resident()
    with app.app_context():
        dbapi = db.engine.dialect.loaded_dbapi
        probe = db.engine.raw_connection()
        driver_connection = type(probe.dbapi_connection)
        probe.close()
        with monkeypatch.context() as patch:
            def failing_commit(self):
                raise dbapi.OperationalError("disk I/O error")

            patch.setattr(driver_connection, "commit", failing_commit)
            with pytest.raises(DBAPIError), write_apart() as connection:
                write(entry(resident.id, "test.apart_commit", "thing", 1, connection=connection),
                      connection=connection)
        with write_apart() as connection:  # rolled back, and the write turn given back: the next write goes on
            write(entry(resident.id, "test.apart_next", "thing", 1, connection=connection), connection=connection)
        assert db.session.query(AuditEntry).filter_by(action="test.apart_commit").count() == 0
        assert db.session.query(AuditEntry).filter_by(action="test.apart_next").count() == 1
