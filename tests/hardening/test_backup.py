"""`flask backup` / `restore` for the SQLite default: a consistent online copy that restores the data."""

import pytest
from sqlalchemy import func, select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.identity.models import User
from tests.conftest import is_postgres


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.db'}",
                     INSTANCE_PATH=str(tmp_path))
    with app.app_context():
        db.create_all()
        from citizen_app.cities.services import load_city

        load_city("kupang")
    yield app
    with app.app_context():
        db.engine.dispose()


def users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_backup_then_restore_brings_data_back(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "--username", "admin1", "--password", "kata-sandi-aman",
                               "--role", "city_admin"]).exit_code == 0
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["users", "create", "--username", "admin2", "--password", "kata-sandi-aman",
                               "--role", "city_admin"]).exit_code == 0
    assert users(sqlite_app) == 2

    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert users(sqlite_app) == 1
    client = sqlite_app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": "admin1", "password": "kata-sandi-aman"})
    assert login.status_code == 200


def test_restore_refuses_a_file_that_is_not_a_database(sqlite_app, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "SQLite" in result.output


def test_backup_on_postgres_points_to_pg_dump(app):
    if not is_postgres(app):
        pytest.skip("checks the PostgreSQL message; this run is on SQLite")
    result = app.test_cli_runner().invoke(args=["backup", "/tmp/x.db"])
    assert result.exit_code != 0 and "pg_dump" in result.output
