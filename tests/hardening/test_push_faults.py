"""The push service failing doesn't slow requests (issue #10, Faults).

A clerk's action notifies the resident inside its own transaction (inbox item + outbox row); the push itself is
the worker's job. Here the resident's phone points at a push service that takes the request and never answers:
the worker is stuck on it, and the clerk's next action still completes, with its notification in the inbox and
queued. When the push service lets go (drops the connection, then answers 503), the worker records each failure,
backs off as its rules say, and the message is delivered later. No timing is asserted: the worker is provably
blocked (the push service holds its request) while the clerk's request runs."""

import socket
import threading
from datetime import timedelta
from itertools import takewhile

import pytest
from sqlalchemy import select, update

from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.notifications.models import OutboxMessage, PushDelivery
from citizen_app.notifications.worker import PushWorker
from tests.conftest import OTHER
from tests.notifications.pushkit import FakeDevice

LETTER = {"type_code": "domisili", "service_kelurahan_code": OTHER, "purpose": "Melamar pekerjaan",
          "fields": {"rt": "004", "rw": "002", "lived_since": "2015-07-01"}}
SAFETY = 30  # seconds: only so that a broken build fails instead of hanging; never a measured figure


class PushService:
    """A push service on 127.0.0.1 answering each connection as planned: an HTTP status, or "hang" (read the
    request, then hold it without answering until released; the connection is then dropped)."""

    def __init__(self, plan: list):
        self.plan = list(plan)
        self.received = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/push/phone"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as stream:
            head = list(takewhile(bool, iter(stream.readline, b"\r\n")))  # to the blank line, or a closed socket
            stream.read(next((int(line.split(b":")[1]) for line in head
                              if line.lower().startswith(b"content-length:")), 0))
            self.received += 1
            answer = self.plan.pop(0)
            if answer == "hang":
                self.holding.set()
                self.release.wait()
                return
            conn.sendall(f"HTTP/1.1 {answer} Planned\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())

    def close(self) -> None:
        self.release.set()
        self.listener.close()


@pytest.fixture
def push_service():
    service = PushService(["hang", 503, 201, 201])
    yield service
    service.close()


def one_batch(app):
    """One claim of the push worker, sending one push at a time so the plan above is followed in order."""
    with app.app_context():
        worker = PushWorker(concurrency=1)
        try:
            return worker.run_once()
        finally:
            worker.close()


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_hanging_push_service_does_not_hold_up_requests_and_loses_nothing(
        app, client, auth_headers, make_user, make_resident, monkeypatch, push_service):
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", SAFETY)  # the worker waits on the push service
    monkeypatch.setitem(app.config, "PUSH_BACKOFF_SECONDS", 100)
    resident, clerk = make_resident(), make_user("clerk", kelurahan_code=OTHER)
    phone = FakeDevice(push_service.endpoint)
    assert client.post("/api/v1/push/subscriptions", json=phone.subscription(),
                       headers=auth_headers(resident)).status_code == 201
    rid = client.post("/api/v1/documents/requests", json=LETTER, headers=auth_headers(resident)).json["id"]

    def act(action: str):
        return client.post(f"/api/v1/documents/requests/{rid}/actions", json={"action": action},
                           headers=auth_headers(clerk))

    assert act("review").status_code == 200  # "Permohonan sedang diperiksa": the first push
    stuck = {}
    worker = threading.Thread(target=lambda: stuck.update(report=one_batch(app)), daemon=True)
    worker.start()
    assert push_service.holding.wait(SAFETY), "the worker never reached the push service"

    # The worker is blocked inside the push; the clerk's next action does not wait for it.
    approved = {}
    clerk_request = threading.Thread(target=lambda: approved.update(res=act("approve")), daemon=True)
    clerk_request.start()
    clerk_request.join(SAFETY)
    assert not clerk_request.is_alive() and approved["res"].status_code == 200
    assert worker.is_alive() and not push_service.release.is_set()
    inbox = client.get("/api/v1/notifications", headers=auth_headers(resident)).json["items"]
    assert [n["title"] for n in inbox] == ["Permohonan disetujui", "Permohonan sedang diperiksa"]
    first, second = outbox(app)
    assert (first.status, second.status) == ("sending", "pending")

    # The push service drops the held request: a failure without an answer, retried after a backoff.
    before = utcnow()
    push_service.release.set()
    worker.join(SAFETY)
    assert not worker.is_alive() and stuck["report"].retried == 1 and stuck["report"].errors == []
    first = outbox(app)[0]
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.last_error.startswith("connection error")
    assert 50 <= (first.next_attempt_at - before).total_seconds() <= 101  # base 100 s, half of it jitter

    # The second message meets a busy push service (503); the first is not due yet and is left alone.
    report = one_batch(app)
    assert (report.claimed, report.retried) == (1, 1)
    second = outbox(app)[1]
    assert (second.status, second.attempts, second.last_error) == ("pending", 1, "503 Planned")

    with app.app_context():  # time passes beyond both backoffs
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    report = one_batch(app)
    assert (report.claimed, report.delivered) == (2, 2)
    assert [(m.status, m.attempts) for m in outbox(app)] == [("done", 2), ("done", 2)]
    with app.app_context():
        outcomes = db.session.scalars(select(PushDelivery.outcome).order_by(PushDelivery.id)).all()
    assert outcomes == ["retry", "retry", "delivered", "delivered"]
    assert push_service.received == 4
