"""Broadcast to 10,000 subscribed devices through a local push service; messages per second end to end.

End to end = the worker claims from the outbox, encrypts (aes128gcm), signs VAPID, POSTs over HTTP/1.1
keep-alive to the receiver, and records every outcome. The receiver runs in its own process (as a real push
service would be elsewhere), so it doesn't compete with the worker for the GIL. Also: encryption alone, and
VAPID signing alone, per message, for comparison."""

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.common import bench_app, postgres_available

DEVICES = int(os.environ.get("BENCH_PUSH_DEVICES", "10000"))
KELURAHAN = "53.71.05.1005"
ROOT = Path(__file__).resolve().parent.parent


def _receiver(port_out, count_out, stop):
    received = 0

    async def handle(reader, writer):
        nonlocal received
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                received += 1
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        port_out.send(server.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.05)
        count_out.send(received)
        server.close()

    asyncio.run(main())


def _seed(app, endpoint: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from citizen_app.common.time import utcnow
    from citizen_app.extensions import db
    from citizen_app.identity.models import User
    from citizen_app.notifications.models import PushSubscription
    from citizen_app.notifications.vapid import b64url

    now = utcnow()
    with app.app_context():
        db.session.execute(insert(User), [
            {"role": "resident", "password_hash": "x", "full_name": f"Warga {i}", "kelurahan_code": KELURAHAN,
             "nationality": "WNI", "is_active": True, "created_at": now} for i in range(DEVICES)])
        user_ids = db.session.scalars(select(User.id).where(User.role == "resident")).all()
        rows = []
        for user_id in user_ids:
            point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            rows.append({"user_id": user_id, "endpoint": f"{endpoint}/push/{user_id}", "p256dh": b64url(point),
                         "auth": b64url(os.urandom(16)), "created_at": now, "updated_at": now})
        db.session.execute(insert(PushSubscription), rows)
        admin = User(role="city_admin", username="bench-admin", password_hash="x", full_name="Admin")
        db.session.add(admin)
        db.session.commit()


def _start_receiver():
    ctx = multiprocessing.get_context("spawn")
    port_in, port_out = ctx.Pipe(False)
    count_in, count_out = ctx.Pipe(False)
    stop = ctx.Event()
    proc = ctx.Process(target=_receiver, args=(port_out, count_out, stop), daemon=True)
    proc.start()
    return f"http://127.0.0.1:{port_in.recv()}", proc, stop, count_in


def _broadcast(app) -> dict:
    from citizen_app.extensions import db
    from citizen_app.identity.models import User
    from citizen_app.notifications.broadcasts import create_broadcast

    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.username == "bench-admin"))
        try:
            return create_broadcast(admin, {"title": "Uji siaran", "body": "Pesan uji untuk semua warga."})
        finally:
            db.session.remove()


def _delivered(app) -> int:
    from citizen_app.extensions import db
    from citizen_app.notifications.models import PushDelivery

    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(PushDelivery)
                                     .where(PushDelivery.outcome == "delivered"))
        finally:
            db.session.remove()


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _in_process(backend: str, concurrency: int, batch_size: int) -> dict:
    """The embedded default: one process, the worker's thread pool."""
    from citizen_app.notifications.worker import PushWorker

    endpoint, proc, stop, count_in = _start_receiver()
    try:
        with bench_app(backend) as app:
            _seed(app, endpoint)
            started = time.perf_counter()
            broadcast = _broadcast(app)
            enqueue_s = time.perf_counter() - started
            with app.app_context():
                worker = PushWorker(concurrency=concurrency, batch_size=batch_size)
                started, cpu = time.perf_counter(), time.process_time()
                report = worker.drain()
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                worker.close()
            delivered = _delivered(app)
        stop.set()
        received = count_in.recv()
    finally:
        stop.set()
        proc.join(5)
    assert broadcast["targeted"] == DEVICES and delivered == DEVICES == received, (broadcast, delivered, received)
    assert report.errors == []
    return {
        f"{backend}_broadcast_enqueue_{DEVICES}_s": round(enqueue_s, 3),
        f"{backend}_1proc_msgs_per_s": round(DEVICES / elapsed, 1),
        # CPU the worker process spent per message (all threads): the figure that holds on a busy machine
        f"{backend}_1proc_cpu_ms_per_msg": round(cpu / DEVICES * 1000, 3),
    }


def _worker_processes(backend: str, processes: int, concurrency: int, batch_size: int) -> dict:
    """The production layout: `flask --app wsgi worker` processes sharing the outbox."""
    endpoint, proc, stop, count_in = _start_receiver()
    workers = []
    try:
        with bench_app(backend) as app:
            _seed(app, endpoint)
            env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "INSTANCE_PATH": app.config["INSTANCE_PATH"], "KEYS_DIR": app.config["KEYS_DIR"],
                   "CITY": "kupang", "PUSH_POLL_SECONDS": "0.05", "INPROCESS_WORKER": "0"}
            for _ in range(processes):
                workers.append(subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--concurrency", str(concurrency),
                     "--batch-size", str(batch_size)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True))
            for worker in workers:  # ready when it says so; then keep its pipe drained
                for line in worker.stderr:
                    if "push worker started" in line:
                        break
                threading.Thread(target=worker.stderr.read, daemon=True).start()
            cpu = sum(_cpu_seconds(w.pid) for w in workers)
            started = time.perf_counter()
            _broadcast(app)
            while _delivered(app) < DEVICES and time.perf_counter() - started < 600:
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            cpu = sum(_cpu_seconds(w.pid) for w in workers) - cpu
            delivered = _delivered(app)
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(30)
        stop.set()
        received = count_in.recv()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        stop.set()
        proc.join(5)
    assert delivered == DEVICES == received, (delivered, received)
    return {
        f"{backend}_{processes}proc_msgs_per_s": round(DEVICES / elapsed, 1),
        f"{backend}_{processes}proc_cpu_ms_per_msg": round(cpu / DEVICES * 1000, 3),
    }


def _crypto_costs(n: int = 2000) -> dict:
    import json
    import time as _time

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from py_vapid import Vapid
    from pywebpush import WebPusher

    from citizen_app.notifications.vapid import b64url

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    sub = {"endpoint": "https://push.example.org/x", "keys": {"p256dh": b64url(point), "auth": b64url(os.urandom(16))}}
    payload = json.dumps({"title": "Uji siaran", "body": "Pesan uji untuk semua warga.", "url": "/#/notifications",
                          "tag": "/#/notifications", "id": 1}).encode()
    pusher = WebPusher(sub)
    started, cpu = _time.perf_counter(), _time.process_time()
    for _ in range(n):
        pusher.encode(payload, "aes128gcm")
    encrypt_us = (_time.perf_counter() - started) / n * 1e6
    encrypt_cpu_us = (_time.process_time() - cpu) / n * 1e6
    vapid = Vapid()
    vapid.generate_keys()
    started = _time.process_time()
    for _ in range(n):
        vapid.sign({"sub": "mailto:admin@kupang.go.id", "aud": "https://push.example.org",
                    "exp": int(_time.time()) + 3600})
    sign_us = (_time.process_time() - started) / n * 1e6
    return {"encrypt_only_us_per_msg": round(encrypt_us, 1), "encrypt_only_cpu_us_per_msg": round(encrypt_cpu_us, 1),
            "encrypt_only_msgs_per_s_per_core": round(1e6 / encrypt_cpu_us),
            "vapid_sign_cpu_us_per_token": round(sign_us, 1)}


def main() -> dict:
    concurrency = int(os.environ.get("BENCH_PUSH_CONCURRENCY", "8"))
    batch_size = int(os.environ.get("BENCH_PUSH_BATCH", "250"))
    processes = int(os.environ.get("BENCH_PUSH_PROCESSES", "2"))
    figures = {"devices": DEVICES, "cores": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1),
               "worker": f"threads {concurrency} per process, batch {batch_size}"}
    figures.update(_crypto_costs())
    backends = ["sqlite"]
    if os.environ.get("BENCH_PUSH_POSTGRES", "1") == "1" and (
            os.environ.get("BENCH_DATABASE_URL") or postgres_available()):
        backends.append("postgres")
    for backend in backends:
        figures.update(_in_process(backend, concurrency, batch_size))
        figures.update(_worker_processes(backend, processes, concurrency, batch_size))
    return figures


if __name__ == "__main__":
    for key, value in main().items():
        print(f"{key}: {value}")
