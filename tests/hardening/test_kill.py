"""A process killed mid-request leaves no half-written letter, payment or call (issue #10, Faults).

The real app runs under gunicorn (2 workers with threads, --preload so the master forks a replacement at once) on
the suite's database. Client threads keep writing: letter requests, signatures (number + signed QR), attachments,
brigade calls, parking sessions and their payments and settlements. The test SIGKILLs one worker, both workers,
and finally the whole server while requests are in flight; the moments follow progress (a number of answered
requests), not the clock, so the schedule does not depend on the machine's speed. After a restart the client
retries what was cut, as the PWA's offline queue does, with the same Idempotency-Key. Then the database must hold
only whole records: every write is all there or not there at all, and everything the client saw answered 2xx is.
"""

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from citizen_app.audit.models import AuditEntry
from citizen_app.brigade.models import BrigadeCall, BrigadeCallEvent
from citizen_app.documents import issuing, rendering
from citizen_app.documents.models import Attachment, IssuedLetter, LetterCounter, LetterRequest, RequestEvent
from citizen_app.documents.workflow import NOTIFY
from citizen_app.extensions import db
from citizen_app.notifications.models import Notification, OutboxMessage
from citizen_app.parking.models import LedgerEntry, ParkingSession, Payment
from tests.conftest import OTHER

ROOT = Path(__file__).resolve().parents[2]
ZONE = "KPG-SOEHARTO"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(300)
PROFILE = {"birth_place": "Kupang", "religion": "Kristen", "marital_status": "Belum Kawin",
           "occupation": "Pelajar/Mahasiswa", "address": "Jl. El Tari 3", "rt": "004", "rw": "002"}
CLIENTS = 6
APPROVED = 40  # requests waiting for a signature; more than the run signs
# (what is killed, answered requests to wait for first): varied moments, each with requests in flight
SCHEDULE = (("worker", 4), ("workers", 9), ("worker", 2), ("worker", 6), ("server", 5))
CUT = (OSError, http.client.HTTPException)  # what a client sees when the process serving it dies


def letter_body(marker: str) -> dict:
    return {"type_code": "domisili", "service_kelurahan_code": OTHER, "purpose": f"Melamar pekerjaan {marker}",
            "fields": {"rt": "004", "rw": "002", "lived_since": "2015-07-01"}}


def call_body(marker: str) -> dict:
    return {"category": "sesak_napas", "complaint": f"Sesak napas sejak pagi {marker}", "patient_name": "Yakobus Bana",
            "patient_age": 67, "contact_phone": "0812 3456 7890", "latitude": -10.1650, "longitude": 123.5900,
            "address": "Jl. Timor Raya No. 5, Oesapa"}


class Server:
    """gunicorn in its own process group, so the test can kill its workers or all of it."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        cmd = [sys.executable, "-m", "gunicorn", "--preload", "-w", "2", "--threads", "4", "--graceful-timeout", "2",
               "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                         start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.tail()
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except CUT:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start\n" + self.tail())

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def kill_workers(self, count: int, turn: int) -> None:
        """SIGKILL `count` workers; the master forks replacements, which we wait for."""
        before = self.workers()
        victims = [before[(turn + i) % len(before)] for i in range(count)]
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = self.workers()
            if len(now) == 2 and not set(victims) & set(now):
                return
            time.sleep(0.02)
        raise AssertionError("gunicorn did not replace its killed workers\n" + self.tail())

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def request(port: int, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
    """One request on a fresh connection (so gunicorn spreads them over its workers): (status, json or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        res = conn.getresponse()
        payload = res.read()
        kind = res.getheader("Content-Type") or ""
        return res.status, json.loads(payload) if payload and kind.startswith("application/json") else payload
    finally:
        conn.close()


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@dataclass
class Journal:
    """What the clients saw: answered writes (acked) and writes cut by a kill (cut), by kind."""

    acked: dict = field(default_factory=lambda: defaultdict(list))
    cut: dict = field(default_factory=lambda: defaultdict(list))
    in_flight: int = 0
    answered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, kind: str, item) -> None:
        with self.lock:
            self.acked[kind].append(item)

    def lose(self, kind: str, item) -> None:
        with self.lock:
            self.cut[kind].append(item)


class Client:
    """One resident's phone (plus the staff it needs) writing in a loop until told to stop."""

    def __init__(self, n: int, world: dict, server: Server, journal: Journal, approved: list, stop: threading.Event):
        self.n, self.world, self.server, self.journal = n, world, server, journal
        self.approved, self.stop = approved, stop
        self.me = world["residents"][n]
        self.my_letters: list[int] = []
        self.plates = iter(range(n * 1000 + 1, n * 1000 + 999))

    def send(self, method: str, path: str, who: dict, body=None, key: str | None = None, raw=None, kind=None):
        headers = {**who, **({"Idempotency-Key": key} if key else {})}
        if kind:
            headers["Content-Type"] = kind
        with self.journal.lock:
            self.journal.in_flight += 1
        try:
            status, payload = request(self.server.port, method, path, body, headers, raw)
        finally:
            with self.journal.lock:
                self.journal.in_flight -= 1
        with self.journal.lock:
            self.journal.answered += 1
        return status, payload

    def run(self) -> None:
        steps = (self.letter, self.sign, self.call, self.park, self.attach)
        turn = self.n
        while not self.stop.is_set():
            try:
                steps[turn % len(steps)]()
            except CUT:
                time.sleep(0.05)  # the server is being replaced
            turn += 1

    def expect(self, status: int, payload, wanted: int) -> None:
        assert status == wanted, (status, payload)

    def letter(self) -> None:
        key = uuid.uuid4().hex
        try:
            status, body = self.send("POST", "/api/v1/documents/requests", self.me, letter_body(key), key)
        except CUT:
            self.journal.lose("letter", (self.n, key))
            raise
        self.expect(status, body, 201)
        self.my_letters.append(body["id"])
        self.journal.ack("letter", body["id"])

    def sign(self) -> None:
        with self.journal.lock:
            if not self.approved:
                return
            rid = self.approved.pop()
        try:
            status, body = self.send("POST", f"/api/v1/documents/requests/{rid}/actions", self.world["lurah"],
                                     {"action": "sign"})
        except CUT:
            self.journal.lose("sign", rid)
            raise
        self.expect(status, body, 200)
        self.journal.ack("sign", (rid, body["letter"]["number"]))

    def call(self) -> None:
        key = uuid.uuid4().hex
        try:
            status, body = self.send("POST", "/api/v1/brigade/calls", self.me, call_body(key), key)
        except CUT:
            self.journal.lose("call", (self.n, key))
            raise
        self.expect(status, body, 201)
        self.journal.ack("call", body["id"])

    def park(self) -> None:
        plate = f"DH {next(self.plates)} KL"
        status, body = self.send("POST", "/api/v1/parking/sessions", self.me,
                                 {"zone_code": ZONE, "plate_number": plate, "vehicle_class": "car"})
        self.expect(status, body, 201)
        self.journal.ack("session", body["id"])
        cash = self.n % 2 == 1  # half the drivers pay the attendant in cash, half by QRIS
        payer = self.world["attendant"] if cash else self.me
        key = uuid.uuid4().hex
        try:
            status, payment = self.send("POST", f"/api/v1/parking/sessions/{body['id']}/payments", payer,
                                        {"method": "cash" if cash else "qris"}, key)
        except CUT:
            self.journal.lose("payment", (body["id"], self.n, "cash" if cash else "qris", key))
            raise
        self.expect(status, payment, 201)
        self.journal.ack("payment", (payment["id"], payment["status"]))
        if not cash:
            try:
                status, settled = self.send("POST", f"/api/v1/parking/simulator/pay/{payment['reference']}", {})
            except CUT:
                self.journal.lose("settle", payment["reference"])
                raise
            self.expect(status, settled, 200)
            self.journal.ack("settle", payment["id"])

    def attach(self) -> None:
        if not self.my_letters:
            return
        raw, kind = multipart("kk.png", PNG + os.urandom(16))
        rid = self.my_letters[-1]
        try:
            status, body = self.send("POST", f"/api/v1/documents/requests/{rid}/attachments", self.me, raw=raw,
                                     kind=kind)
        except CUT:
            self.journal.lose("attachment", rid)
            raise
        self.expect(status, body, 201)
        self.journal.ack("attachment", body["id"])


@pytest.fixture
def world(app, client, auth_headers, make_user, make_resident):
    """Residents, the serving kelurahan's clerk and lurah, an attendant, and letters waiting for a signature."""
    residents = [make_resident(**PROFILE) for _ in range(CLIENTS)]
    clerk, lurah = make_user("clerk", kelurahan_code=OTHER), make_user("lurah", kelurahan_code=OTHER)
    attendant = make_user("parking_attendant", zone_code=ZONE)
    approved = []
    for i in range(APPROVED):
        res = client.post("/api/v1/documents/requests", json=letter_body(f"siap-{i}"),
                          headers=auth_headers(residents[i % CLIENTS]))
        assert res.status_code == 201, res.json
        for action in ("review", "approve"):
            step = client.post(f"/api/v1/documents/requests/{res.json['id']}/actions", json={"action": action},
                               headers=auth_headers(clerk))
            assert step.status_code == 200, step.json
        approved.append(res.json["id"])
    return {"residents": [auth_headers(r) for r in residents], "lurah": auth_headers(lurah),
            "attendant": auth_headers(attendant), "lurah_user": lurah, "approved": approved}


@pytest.fixture
def server(app, tmp_path):
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "INSTANCE_PATH": str(tmp_path / "instance"), "KEYS_DIR": str(tmp_path / "keys"),
           "UPLOADS_DIR": str(tmp_path / "uploads"), "RATELIMIT_ENABLED": "0", "INPROCESS_WORKER": "0"}
    running = Server(env, tmp_path / "gunicorn.log")
    yield running
    running.stop()


def wait_for(journal: Journal, answered: int, server: Server, stop: threading.Event) -> None:
    """Until `answered` more requests were answered and several are in flight: the moment to kill."""
    target = journal.answered + answered
    deadline = time.monotonic() + 60
    while not (journal.answered >= target and journal.in_flight >= 3 or stop.is_set()):
        assert time.monotonic() < deadline, "the clients made no progress\n" + server.tail()
        time.sleep(0.002)


def test_killed_processes_leave_only_whole_records(app, world, server, tmp_path):
    journal, stop, approved = Journal(), threading.Event(), list(world["approved"])
    server.start()
    clients = [Client(n, world, server, journal, approved, stop) for n in range(CLIENTS)]
    errors = []

    def run(c: Client) -> None:
        try:
            c.run()
        except BaseException as exc:  # noqa: BLE001 - reported below, with the server's log
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for turn, (what, answered) in enumerate(SCHEDULE):
        wait_for(journal, answered, server, stop)
        assert not errors, (errors, server.tail())
        if what == "server":
            server.kill()
        else:
            server.kill_workers(2 if what == "workers" else 1, turn)
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors, (errors, server.tail())
    assert sum(len(items) for items in journal.cut.values()) >= 1, "no kill hit a request in flight"

    server.start()
    retry_what_was_cut(server.port, world, journal)
    server.stop()

    with app.app_context():
        check_letters(tmp_path / "keys", world, journal)
        check_attachments(tmp_path / "uploads", journal)
        check_calls(journal)
        check_parking(journal)
        check_outbox()


def retry_what_was_cut(port: int, world: dict, journal: Journal) -> None:
    """What the PWA does after a lost answer: send again with the same key. Each must end up done exactly once."""
    for n, key in journal.cut["letter"]:
        status, body = request(port, "POST", "/api/v1/documents/requests", letter_body(key),
                               {**world["residents"][n], "Idempotency-Key": key})
        # A first try that committed left its record on the key: the lost answer is rebuilt, never a 409.
        assert status == 201, (status, body)
        journal.ack("retried letter", (key, status))
    for n, key in journal.cut["call"]:
        status, body = request(port, "POST", "/api/v1/brigade/calls", call_body(key),
                               {**world["residents"][n], "Idempotency-Key": key})
        assert status == 201, (status, body)
        journal.ack("retried call", (key, status))
    for session_id, n, method, key in journal.cut["payment"]:
        payer = world["attendant"] if method == "cash" else world["residents"][n]
        status, body = request(port, "POST", f"/api/v1/parking/sessions/{session_id}/payments", {"method": method},
                               {**payer, "Idempotency-Key": key})
        # 409 remains where a pending QRIS payment was reused: that answer names no new payment to rebuild.
        assert status in (201, 409), (status, body)
        journal.ack("retried payment", (session_id, status))
    for rid in journal.cut["sign"]:
        status, body = request(port, "POST", f"/api/v1/documents/requests/{rid}/actions", {"action": "sign"},
                               world["lurah"])
        assert status == 200 or (status == 409 and "signed" in body["message"]), (status, body)
    for reference in journal.cut["settle"]:
        status, body = request(port, "POST", f"/api/v1/parking/simulator/pay/{reference}")
        assert status == 200 and body["status"] == "paid", (status, body)


def by(rows, attribute: str) -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[getattr(row, attribute)].append(row)
    return grouped


def audit(entity_type: str) -> dict:
    entries = db.session.execute(select(AuditEntry.entity_id, AuditEntry.action)
                                 .where(AuditEntry.entity_type == entity_type)).all()
    found = defaultdict(Counter)
    for entity_id, action in entries:
        found[int(entity_id)][action] += 1
    return found


def notified(key: str) -> Counter:
    return Counter(note.data[key] for note in db.session.scalars(select(Notification)) if key in (note.data or {}))


def check_letters(keys_dir: Path, world: dict, journal: Journal) -> None:
    """Every request has its whole history, audit trail and notifications; a signature is all there or absent."""
    requests = {r.id: r for r in db.session.scalars(select(LetterRequest))}
    events = by(db.session.scalars(select(RequestEvent).order_by(RequestEvent.id)), "request_id")
    trail, notes = audit("letter_request"), notified("request_id")
    attached = Counter(a.request_id for a in db.session.scalars(select(Attachment)))
    for rid, req in requests.items():
        chain = events[rid]
        assert (chain[0].action, chain[0].from_status) == ("submit", None), rid
        assert all(later.from_status == earlier.to_status for earlier, later in pairwise(chain)), rid
        assert chain[-1].to_status == req.status, rid
        expected = Counter(f"document_request.{e.action}" for e in chain)
        expected["document_request.attach"] += attached[rid]
        assert trail[rid] == +expected, rid
        assert notes[rid] == sum(e.action in NOTIFY for e in chain), rid
        assert (req.status == "signed") == (req.letter is not None), rid

    offices = defaultdict(list)
    for letter in db.session.scalars(select(IssuedLetter)):
        offices[(letter.issuing_kelurahan_code, letter.year)].append(letter.seq)
        assert f"/{letter.seq:03d}/{letter.issuing_kelurahan_code.replace('.', '')}/" in letter.number
        checked = issuing.verify(letter.qr_text, keys_dir=str(keys_dir))
        assert (checked["result"], checked["document"]["number"]) == ("valid", letter.number)
        pdf, _name = rendering.letter_pdf(world["lurah_user"], letter.request_id)
        assert pdf.startswith(b"%PDF-")
    assert offices, "nothing was signed"
    for (office, year), seqs in offices.items():  # numbered in the signing transaction: no gap, no repeat
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert db.session.get(LetterCounter, (office, year)).last_seq == len(seqs)

    assert set(journal.acked["letter"]) <= requests.keys()
    for rid, number in journal.acked["sign"]:
        assert requests[rid].letter.number == number
    for rid in journal.cut["sign"]:  # signed again after the restart if the first try died
        assert requests[rid].status == "signed"
    purposes = Counter(r.purpose for r in requests.values())
    for key, status in journal.acked["retried letter"]:  # sent twice, there exactly once
        assert purposes[letter_body(key)["purpose"]] == 1, (key, status)


def check_attachments(uploads: Path, journal: Journal) -> None:
    """A row always has its file; a file without a row can only come from an upload whose commit was cut."""
    folder = uploads / "letters"
    rows = db.session.scalars(select(Attachment)).all()
    for row in rows:
        assert hashlib.sha256((folder / row.stored_name).read_bytes()).hexdigest() == row.sha256
    assert set(journal.acked["attachment"]) <= {row.id for row in rows}
    files = set(os.listdir(folder)) if folder.exists() else set()  # a run may have no upload at all
    orphans = files - {row.stored_name for row in rows}
    assert len(orphans) <= len(journal.cut["attachment"])


def check_calls(journal: Journal) -> None:
    calls = {c.id: c for c in db.session.scalars(select(BrigadeCall))}
    events = by(db.session.scalars(select(BrigadeCallEvent).order_by(BrigadeCallEvent.id)), "call_id")
    trail = audit("brigade_call")
    for call_id in calls:
        assert [e.action for e in events[call_id]] == ["call"], call_id
        assert trail[call_id] == Counter({"brigade.call.create": 1}), call_id
    assert set(journal.acked["call"]) <= calls.keys()
    complaints = Counter(c.complaint for c in calls.values())
    for key, status in journal.acked["retried call"]:
        assert complaints[call_body(key)["complaint"]] == 1, (key, status)


def check_parking(journal: Journal) -> None:
    """Every payment belongs to a stopped or paid session; paid means one payment, two ledger lines, one notice."""
    sessions = {s.id: s for s in db.session.scalars(select(ParkingSession))}
    payments = {p.id: p for p in db.session.scalars(select(Payment))}
    per_session = by(payments.values(), "session_id")
    lines = by(db.session.scalars(select(LedgerEntry)), "payment_id")
    session_trail, payment_trail = audit("parking_session"), audit("parking_payment")
    paid_notices = notified("session_id")
    for pid, payment in payments.items():
        session = sessions[payment.session_id]
        assert payment.purpose == "parking" and payment.amount == session.amount, pid
        assert payment_trail[pid]["parking.payment_created"] == 1, pid
        if payment.status == "paid":
            assert sorted(e.amount for e in lines[pid]) == [-payment.amount, payment.amount], pid
        else:
            assert payment.status == "pending" and payment.method == "qris" and not lines[pid], pid
    for sid, session in sessions.items():
        assert session_trail[sid]["parking.session_started"] == 1, sid
        paid = [p for p in per_session[sid] if p.status == "paid"]
        assert len(paid) == (session.status == "paid"), sid
        assert paid_notices[sid] == len(paid), sid
        if per_session[sid]:
            assert session.status in ("stopped", "paid") and session.amount and session.ended_at, sid
        assert sum(p.status == "pending" for p in per_session[sid]) <= 1, sid
    assert sum(e.amount for entries in lines.values() for e in entries) == 0

    assert set(journal.acked["session"]) <= sessions.keys()
    for pid, status in journal.acked["payment"]:
        assert pid in payments and (status == "pending" or payments[pid].status == "paid"), pid
    for pid in journal.acked["settle"]:
        assert payments[pid].status == "paid", pid
    for sid, status in journal.acked["retried payment"]:
        assert len(per_session[sid]) == 1, (sid, status)


def check_outbox() -> None:
    """A notification and its push are one write."""
    queued = Counter(m.notification_id for m in db.session.scalars(select(OutboxMessage)))
    notes = db.session.scalars(select(Notification.id)).all()
    assert notes and all(queued[n] == 1 for n in notes)


def test_a_request_that_dies_before_its_commit_leaves_no_key_behind(app, client, auth_headers, make_resident,
                                                                    monkeypatch):
    """The deterministic half of the test above: the work dies after the key was taken. The retry must place the
    call, not answer 'still being processed' for ever (the PWA's queue drops a refused call)."""
    from citizen_app.brigade import services

    place = services.create_call

    def dies(*_args, **_kwargs):
        raise RuntimeError("killed")

    headers = auth_headers(make_resident(), **{"Idempotency-Key": "panggilan-1"})
    monkeypatch.setattr(services, "create_call", dies)
    assert client.post("/api/v1/brigade/calls", json=call_body("x"), headers=headers).status_code == 500
    monkeypatch.setattr(services, "create_call", place)
    res = client.post("/api/v1/brigade/calls", json=call_body("x"), headers=headers)
    assert res.status_code == 201 and "Idempotent-Replayed" not in res.headers, res.json
    with app.app_context():
        assert len(db.session.scalars(select(BrigadeCall)).all()) == 1


class Killed(BaseException):
    """The process dying: nothing in the app catches it."""


@pytest.mark.parametrize("dies_at", [1, 2, 3], ids=["private key", "key metadata", "active pointer"])
def test_a_signing_key_being_written_when_the_process_dies_is_never_half_there(tmp_path, monkeypatch, dies_at):
    """The first signature of a fresh install writes the key files; a death halfway must not stop signing."""
    from citizen_app.documents import signing

    real_fdopen, writes = os.fdopen, []

    class DiesHalfway:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            self.f.close()

        def write(self, data: bytes):
            writes.append(data)
            if len(writes) == dies_at:
                self.f.write(data[: len(data) // 2])
                self.f.flush()
                raise Killed()
            return self.f.write(data)

    monkeypatch.setattr(signing.os, "fdopen", lambda fd, mode: DiesHalfway(real_fdopen(fd, mode)))
    with pytest.raises(Killed):
        signing.active_key(str(tmp_path))
    monkeypatch.setattr(signing.os, "fdopen", real_fdopen)

    key = signing.active_key(str(tmp_path))  # the restarted process
    token = signing.decode(signing.sign(key, {-2: "470/001/5371011001/I/2026"}))
    assert signing.verify_signature(signing.find_key(str(tmp_path), token.kid).public, token)
    # the trust list's view: every key file reads (a whole key that never became active may stay; it signed nothing)
    assert key.kid in [k.kid for k in signing.all_keys(str(tmp_path))]
