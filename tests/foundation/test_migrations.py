"""The app never calls create_all outside tests: migrations must build exactly the models' schema."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from citizen_app import create_app
from citizen_app.extensions import db
from tests.conftest import is_postgres


@pytest.fixture
def fresh_db_url(app, tmp_path):
    if not is_postgres(app):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    base = app.config["SQLALCHEMY_DATABASE_URI"]
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_match_models_and_downgrade_cleanly(fresh_db_url, tmp_path):
    migrated = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_db_url, INSTANCE_PATH=str(tmp_path))
    with migrated.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()
        upgrade(revision="heads")
        db.engine.dispose()
