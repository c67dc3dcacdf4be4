"""Parking payments end to end through the HTTP API in-process: start a session, create a QRIS payment
(payload + simulator charge), deliver the provider's signed notification to the webhook (settle once, ledger,
notification). Reports payments settled per second, sequentially and with 8 threads, the app process's CPU
time per payment (PostgreSQL's own CPU not included) and the load average, on SQLite and, when available,
PostgreSQL. PARKING_BENCH_N sets the number of payments per run (default 300)."""

import os
import threading
import time

from bench.common import bench_app, postgres_available, timed

N = int(os.environ.get("PARKING_BENCH_N", "300"))
THREADS = 8


def _setup(app):
    from datetime import date

    from citizen_app.extensions import db
    from citizen_app.identity.nik import make_nik
    from citizen_app.identity.services import issue_tokens, register_resident

    with app.app_context():
        user = register_resident({
            "nik": make_nik("53.71.05", date(1990, 1, 2), "male", 7), "full_name": "Bench Driver",
            "birth_date": date(1990, 1, 2), "gender": "male", "phone": "081200000777", "password": "bench-pass-123",
            "kelurahan_code": "53.71.05.1005", "address": "Jl. Bench 1",
        })
        token = issue_tokens(db.session.get(type(user), user.id))["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _one_payment(client, headers, plate: str) -> None:
    from citizen_app.parking.providers import DEV_SERVER_KEY
    from citizen_app.parking.providers.simulator import Simulator

    res = client.post("/api/v1/parking/sessions", headers=headers,
                      json={"zone_code": "KPG-SOEHARTO", "plate_number": plate, "vehicle_class": "car"})
    assert res.status_code == 201, res.json
    pay = client.post(f"/api/v1/parking/sessions/{res.json['id']}/payments", headers=headers, json={"method": "qris"})
    assert pay.status_code == 201, pay.json
    body = Simulator(DEV_SERVER_KEY).notification(pay.json["reference"], pay.json["amount"])
    hook = client.post("/api/v1/parking/webhooks/simulator", json=body)
    assert hook.status_code == 200 and hook.json["status"] == "paid", hook.json


def _check(app, expected: int) -> None:
    from sqlalchemy import func, select

    from citizen_app.extensions import db
    from citizen_app.parking.models import LedgerEntry, Payment

    with app.app_context():
        paid = db.session.scalar(select(func.count()).where(Payment.status == "paid"))
        assert paid == expected, (paid, expected)
        assert db.session.scalar(select(func.sum(LedgerEntry.amount))) == 0


def run(backend: str) -> dict:
    with bench_app(backend, PAYMENT_PROVIDER="simulator") as app:
        headers = _setup(app)
        client = app.test_client()
        counter = iter(range(10**6))
        plate = lambda: f"DH {next(counter) % 9999 + 1} {chr(65 + next(counter) % 26)}"  # noqa: E731
        _one_payment(client, headers, plate())  # warm up
        started, cpu = time.perf_counter(), time.process_time()
        latency = timed(lambda: _one_payment(client, headers, plate()), N)
        sequential = N / (time.perf_counter() - started)
        # On a shared machine wall time mostly measures the neighbours; the app's own CPU per payment doesn't.
        cpu_ms = (time.process_time() - cpu) / N * 1000

        per_thread = N // THREADS
        lock = threading.Lock()
        errors = []

        def worker(i):
            local = app.test_client()
            try:
                for j in range(per_thread):
                    with lock:
                        p = f"DK {i * 1000 + j + 1} T"
                    _one_payment(local, headers, p)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent = per_thread * THREADS / (time.perf_counter() - started)
        if errors:
            raise RuntimeError(f"{len(errors)} threads failed: {errors[0]}")
        _check(app, 1 + N + per_thread * THREADS)
        return {"payments_per_s_sequential": round(sequential, 1), f"payments_per_s_{THREADS}_threads":
                round(concurrent, 1), "app_cpu_ms_per_payment": round(cpu_ms, 1), "end_to_end_ms": latency,
                "load_average_1m": round(os.getloadavg()[0], 1)}


def main() -> dict:
    figures = {"sqlite": run("sqlite")}
    if os.environ.get("BENCH_DATABASE_URL") or postgres_available():
        figures["postgres"] = run("postgres")
    return figures
