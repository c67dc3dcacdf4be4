"""Helpers for benchmarks: an app on a fresh database (SQLite file, or PostgreSQL from BENCH_DATABASE_URL)."""

import os
import shutil
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def bench_app(backend: str = "sqlite", **overrides):
    from citizen_app import create_app
    from citizen_app.cities.services import load_city
    from citizen_app.extensions import db

    tmp = tempfile.mkdtemp(prefix="bench-")
    cleanup = None
    if backend == "postgres":
        base = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        base = base.replace("postgresql://", "postgresql+psycopg://", 1)
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.rsplit("/", 1)[0] + "/" + name

        def cleanup():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        url = f"sqlite:///{tmp}/bench.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=tmp, KEYS_DIR=f"{tmp}/keys",
                     UPLOADS_DIR=f"{tmp}/uploads", RATELIMIT_ENABLED=False, **overrides)
    with app.app_context():
        db.create_all()
        load_city("kupang")
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if cleanup:
            cleanup()
        shutil.rmtree(tmp, ignore_errors=True)  # the SQLite database, keys and uploads of this run


def postgres_available() -> bool:
    try:
        engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


def timed(fn, repeat: int) -> dict:
    """Run fn `repeat` times; return median/p90/p99 in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p90_ms": round(samples[int(len(samples) * 0.9) - 1], 3),
        "p99_ms": round(samples[max(0, int(len(samples) * 0.99) - 1)], 3),
        "n": repeat,
    }
