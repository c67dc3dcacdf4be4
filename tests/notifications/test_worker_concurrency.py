import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from citizen_app import create_app
from citizen_app.extensions import db
from citizen_app.notifications.events import notify
from citizen_app.notifications.models import OutboxMessage, PushSubscription
from citizen_app.notifications.worker import PushWorker
from tests.conftest import is_postgres
from tests.notifications.pushkit import FakeDevice


def _seed(app, make_resident, receiver, users: int, per_user: int) -> list[int]:
    residents = [make_resident() for _ in range(users)]
    with app.app_context():
        for r in residents:
            info = FakeDevice(receiver.endpoint(f"u{r.id}")).subscription()
            db.session.add(PushSubscription(user_id=r.id, endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"],
                                            auth=info["keys"]["auth"]))
        ids = []
        for i in range(per_user):
            ids += [n.id for n in notify([r.id for r in residents], "parking.paid", f"m{i}", "b", url="/#/parking")]
        db.session.commit()
    return ids


def test_two_workers_share_the_outbox_without_sending_twice(app, make_resident, receiver):
    if not is_postgres(app):
        pytest.skip("SKIP LOCKED concurrency needs PostgreSQL; SQLite has a single writer")
    ids = _seed(app, make_resident, receiver, users=30, per_user=10)
    reports, barrier = [], threading.Barrier(2)

    def work():
        with app.app_context():
            worker = PushWorker(concurrency=4, batch_size=15)
            barrier.wait()
            try:
                reports.append(worker.drain())
            finally:
                worker.close()
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(r.errors == [] for r in reports)
    assert sum(r.delivered for r in reports) == len(ids) == len(receiver.received)
    assert all(r.claimed > 0 for r in reports), "both workers should have had a share"
    # every push is a distinct (device, ciphertext); count per device: each got exactly its 10 messages
    assert set(Counter(r.path for r in receiver.received).values()) == {10}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status != "done")) == 0


def test_in_process_worker_starts_with_the_first_request_and_sends(app, make_resident, receiver):
    ids = _seed(app, make_resident, receiver, users=2, per_user=1)
    served = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        INSTANCE_PATH=app.config["INSTANCE_PATH"], KEYS_DIR=app.config["KEYS_DIR"],
                        INPROCESS_WORKER=True, PUSH_POLL_SECONDS=0.1)
    inprocess = served.extensions["push_worker"]
    try:
        assert inprocess.thread is None  # created, migrated or used from the CLI: no worker yet
        assert served.test_client().get("/api/v1/push/vapid-public-key").status_code == 200
        assert inprocess.thread is not None and inprocess.thread.is_alive()
        deadline = time.monotonic() + 10
        while len(receiver.received) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(receiver.received) == len(ids)
        served.test_client().get("/api/v1/push/vapid-public-key")
        assert [t.name for t in threading.enumerate()].count("push-worker") == 1
    finally:
        inprocess.shutdown()
        with served.app_context():
            db.engine.dispose()
    assert not inprocess.thread.is_alive()
