"""Brigade: the dispatcher queue and suggested-teams with 100 teams and 10,000 historical calls, through the
Flask test client and the service, on SQLite and PostgreSQL. Target: median < 20 ms each. Also the monthly
stats over the whole history (no target; for the record)."""

import random
import time
from datetime import UTC, datetime, timedelta

from bench.common import bench_app, postgres_available, timed

TEAMS = 100
HISTORY = 10_000
ACTIVE = 40
REPEAT = 200
CENTRE = (-10.1772, 123.6070)
CATEGORIES = ("sesak_napas", "nyeri_dada", "kecelakaan", "demam_tinggi", "persalinan", "pingsan", "lansia",
              "lainnya")


def _seed(app) -> dict:
    from sqlalchemy import insert

    from citizen_app.brigade.models import BrigadeCall, BrigadeTeam
    from citizen_app.extensions import db
    from citizen_app.identity.models import User
    from citizen_app.identity.services import create_staff, issue_tokens

    rng = random.Random(119)
    with app.app_context():
        dispatcher = create_staff(None, {"username": "dispatcher", "password": "rahasia-123", "role": "dispatcher",
                                         "full_name": "Dispatcher"})
        resident = User(role="resident", password_hash="x", full_name="Warga", phone="+6281200000000")
        db.session.add(resident)
        db.session.commit()
        teams = [{"name": f"Tim {i}", "status": "available" if i % 10 < 7 else "off_duty",
                  "latitude": CENTRE[0] + rng.uniform(-0.08, 0.08), "longitude": CENTRE[1] + rng.uniform(-0.08, 0.08),
                  "created_at": datetime.now(UTC), "version": 1} for i in range(TEAMS)]
        db.session.execute(insert(BrigadeTeam), teams)
        now = datetime.now(UTC)
        rows = []
        for i in range(HISTORY + ACTIVE):
            created = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60)) if i < HISTORY else \
                now - timedelta(minutes=rng.randint(1, 50))
            row = {
                "resident_id": resident.id, "category": rng.choice(CATEGORIES), "complaint": "keluhan",
                "patient_name": "Pasien", "patient_age": rng.randint(0, 95), "contact_phone": f"+62812{i:08d}",
                "latitude": CENTRE[0] + rng.uniform(-0.1, 0.1), "longitude": CENTRE[1] + rng.uniform(-0.1, 0.1),
                "address": "Jl. Contoh", "created_at": created, "version": 1, "team_id": None,
                "priority": rng.choice(("red", "yellow", "green")), "status": "completed",
                "answered_at": None, "dispatched_at": None, "on_scene_at": None, "completed_at": None,
            }
            if i < HISTORY:
                row.update(team_id=rng.randint(1, TEAMS), answered_at=created + timedelta(seconds=40),
                           dispatched_at=created + timedelta(seconds=rng.randint(60, 900)))
                row["on_scene_at"] = row["dispatched_at"] + timedelta(seconds=rng.randint(300, 2400))
                row["completed_at"] = row["on_scene_at"] + timedelta(minutes=30)
            else:
                row["status"] = rng.choice(("received", "triaged"))
                row["priority"] = None if row["status"] == "received" else row["priority"]
            rows.append(row)
        for start in range(0, len(rows), 2000):
            db.session.execute(insert(BrigadeCall), rows[start:start + 2000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        else:
            db.session.execute(db.text("ANALYZE"))
        open_call = db.session.scalar(db.select(BrigadeCall.id).where(BrigadeCall.status == "triaged").limit(1))
        token = issue_tokens(db.session.get(User, dispatcher.id))["access_token"]
        ids = {"dispatcher": dispatcher.id, "call": open_call, "token": token}
        db.session.remove()
        return ids


def _measure(app, ids) -> dict:
    from citizen_app.brigade import services
    from citizen_app.brigade.schemas import BrigadeCallSchema
    from citizen_app.common.pagination import paginate
    from citizen_app.extensions import db
    from citizen_app.identity.models import User

    client = app.test_client()
    headers = {"Authorization": f"Bearer {ids['token']}"}
    queue_url = "/api/v1/brigade/calls"
    teams_url = f"/api/v1/brigade/calls/{ids['call']}/suggested-teams"
    for url in (queue_url, teams_url):
        res = client.get(url, headers=headers)
        assert res.status_code == 200, res.get_data(as_text=True)
    assert client.get(queue_url, headers=headers).json["total"] == ACTIVE
    figures = {
        "queue_http": _with_cpu(lambda: client.get(queue_url, headers=headers), REPEAT),
        "suggested_teams_http": _with_cpu(lambda: client.get(teams_url, headers=headers), REPEAT),
    }
    schema = BrigadeCallSchema(many=True)
    with app.test_request_context():
        # Each run starts from an empty session and loads the dispatcher, as a request does.
        def queue():
            db.session.remove()
            page = paginate(services.calls_query(db.session.get(User, ids["dispatcher"]), None), 1, 20)
            schema.dump(page["items"])

        def suggested():
            db.session.remove()
            services.suggested_teams(db.session.get(User, ids["dispatcher"]), ids["call"], 10)

        figures["queue_service"] = _with_cpu(queue, REPEAT)
        figures["suggested_teams_service"] = _with_cpu(suggested, REPEAT)
        db.session.remove()
    figures["stats_http"] = _with_cpu(lambda: client.get("/api/v1/stats/brigade"), 10)
    return figures


def _with_cpu(fn, repeat: int) -> dict:
    """timed() plus the mean CPU time per run: on a busy machine wall time also counts other processes."""
    started = time.process_time()
    figures = timed(fn, repeat)
    figures["cpu_ms"] = round((time.process_time() - started) / repeat * 1000, 3)
    return figures


def _run(backend: str) -> dict:
    with bench_app(backend) as app:
        ids = _seed(app)
        figures = _measure(app, ids)
    summary = {name: f["median_ms"] for name, f in figures.items()}
    summary["p90_ms"] = {name: f["p90_ms"] for name, f in figures.items()}
    summary["cpu_ms"] = {name: f["cpu_ms"] for name, f in figures.items()}
    summary["target_met"] = all(figures[k]["median_ms"] < 20 for k in figures if k != "stats_http")
    return summary


def main() -> dict:
    results = {"sqlite_median_ms": _run("sqlite")}
    if postgres_available():
        results["postgres_median_ms"] = _run("postgres")
    else:
        results["postgres_median_ms"] = "skipped: PostgreSQL not reachable"
    return results
