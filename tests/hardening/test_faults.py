"""The database going away: 503 in the contract's shape, then recovery with no restart."""

import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy.pool import NullPool

from citizen_app import create_app
from citizen_app.extensions import db
from tests.conftest import is_postgres


class TcpProxy:
    """A loopback TCP proxy to the real PostgreSQL that the test can cut and restore."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.up = False
        for conn in self.conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conns.clear()

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


@pytest.fixture
def flaky_app(app, tmp_path):
    """An app whose database connection we can take away and give back."""
    if is_postgres(app):
        from sqlalchemy.engine import make_url

        real = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        proxy = TcpProxy(real.port or 5432)
        flaky = create_app("testing", SQLALCHEMY_DATABASE_URI=str(real.set(host="127.0.0.1", port=proxy.port)
                                                                  .render_as_string(hide_password=False)),
                           INSTANCE_PATH=str(tmp_path))
        yield flaky, proxy.cut, proxy.restore
        proxy.close()
    else:
        folder = tmp_path / "dbdir"
        folder.mkdir()
        with app.app_context():
            source = sqlite3.connect(db.engine.url.database)
            dest = sqlite3.connect(folder / "db.sqlite")
            source.backup(dest)
            source.close()
            dest.close()
        flaky = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/db.sqlite",
                           SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}, INSTANCE_PATH=str(tmp_path))
        away = tmp_path / "away"

        def cut():
            Path(folder).rename(away)

        def restore():
            away.rename(folder)

        yield flaky, cut, restore
    with flaky.app_context():
        db.session.remove()
        db.engine.dispose()


def test_database_down_gives_503_and_recovers_by_itself(flaky_app):
    flaky, cut, restore = flaky_app
    client = flaky.test_client()
    assert client.get("/api/v1/city").status_code == 200
    assert client.get("/healthz").status_code == 200

    cut()
    city = client.get("/api/v1/city")
    assert city.status_code == 503, city.get_data(as_text=True)
    assert city.json["code"] == "service_unavailable" and city.headers["Retry-After"]
    assert client.get("/healthz").status_code == 503
    login = client.post("/api/v1/auth/login", json={"username": "x", "password": "y"})
    assert login.status_code == 503

    restore()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/city").status_code == 200
