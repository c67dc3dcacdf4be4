"""End to end with no internet: notify() → outbox → worker → pywebpush → a local push service → decrypt."""

import os
import stat
from datetime import timedelta

from sqlalchemy import func, select, update

from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.notifications.events import notify
from citizen_app.notifications.models import Notification, OutboxMessage, PushDelivery, PushSubscription
from tests.notifications.pushkit import closed_port_endpoint, run_worker, unb64url, verify_vapid


def send(app, user_ids, event="document.signed", urgency="normal", url="/#/letters/12", title="Surat siap",
         body="Surat keterangan domisili Anda sudah ditandatangani."):
    with app.app_context():
        notes = notify(user_ids, event, title, body, url=url, urgency=urgency)
        db.session.commit()
        return [n.id for n in notes]


def outbox(app, note_id):
    with app.app_context():
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.notification_id == note_id))


def deliveries(app, outcome=None):
    with app.app_context():
        query = select(PushDelivery).order_by(PushDelivery.id)
        if outcome:
            query = query.where(PushDelivery.outcome == outcome)
        return db.session.scalars(query).all()


def subscriptions(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PushSubscription))


def test_vapid_public_key_is_generated_once_outside_the_repo(app, client):
    first = client.get("/api/v1/push/vapid-public-key")
    assert first.status_code == 200
    key = first.json["public_key"]
    raw = unb64url(key)
    assert len(raw) == 65 and raw[0] == 4 and "=" not in key
    assert client.get("/api/v1/push/vapid-public-key").json["public_key"] == key
    path = os.path.join(app.config["KEYS_DIR"], "vapid_private.pem")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert not os.path.abspath(path).startswith(repo + os.sep)


def test_a_notification_reaches_the_phone_signed_and_encrypted(app, client, make_resident, receiver, subscribe):
    resident = make_resident()
    phone = subscribe(resident, "phone")
    [note_id] = send(app, [resident.id])

    report = run_worker(app)
    assert report.delivered == 1 and report.errors == []

    [push] = receiver.for_device("phone")
    server_key = client.get("/api/v1/push/vapid-public-key").json["public_key"]
    claims = verify_vapid(push.headers["authorization"], phone.endpoint, server_key)
    assert claims["sub"] == "mailto:admin@kupang.go.id"
    assert push.headers["ttl"] == str(24 * 3600) and push.headers["urgency"] == "normal"
    assert phone.decrypt(push) == {"title": "Surat siap",
                                   "body": "Surat keterangan domisili Anda sudah ditandatangani.",
                                   "url": "/#/letters/12", "tag": "/#/letters/12", "id": note_id}
    assert outbox(app, note_id).status == "done"
    [delivery] = deliveries(app)
    assert (delivery.outcome, delivery.status_code) == ("delivered", 201)


def test_every_device_of_the_user_gets_it_and_brigade_is_urgent(app, make_resident, receiver, subscribe):
    resident = make_resident()
    phone, tablet = subscribe(resident, "phone"), subscribe(resident, "tablet")
    send(app, [resident.id], event="brigade.en_route", urgency="high", url="/#/brigade/3",
         title="Brigade menuju lokasi", body="Tim 2 sedang menuju lokasi Anda.")
    run_worker(app)
    for device, name in ((phone, "phone"), (tablet, "tablet")):
        [push] = receiver.for_device(name)
        assert push.headers["urgency"] == "high" and push.headers["ttl"] == "3600"
        assert device.decrypt(push)["title"] == "Brigade menuju lokasi"
    assert len(deliveries(app, "delivered")) == 2


def test_running_the_worker_again_sends_nothing_twice(app, make_resident, receiver, subscribe):
    resident = make_resident()
    subscribe(resident, "phone")
    send(app, [resident.id])
    run_worker(app)
    assert run_worker(app).claimed == 0
    assert len(receiver.received) == 1


def test_gone_devices_are_pruned(app, make_resident, receiver, subscribe):
    resident = make_resident()
    subscribe(resident, "old-phone")
    subscribe(resident, "uninstalled")
    subscribe(resident, "phone")
    receiver.answer("old-phone", 410)
    receiver.answer("uninstalled", 404)
    [note_id] = send(app, [resident.id])
    report = run_worker(app)
    assert (report.pruned, report.delivered) == (2, 1)
    assert subscriptions(app) == 1
    assert sorted(d.status_code for d in deliveries(app, "pruned")) == [404, 410]
    assert outbox(app, note_id).status == "done"


def make_due(app):
    """Time passes: every retry is due now."""
    with app.app_context():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending")
                           .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_busy_or_broken_push_service_is_retried_with_backoff_then_failed(app, monkeypatch, make_resident, receiver,
                                                                         subscribe):
    monkeypatch.setitem(app.config, "PUSH_BACKOFF_SECONDS", 100)
    monkeypatch.setitem(app.config, "PUSH_MAX_ATTEMPTS", 3)
    resident = make_resident()
    subscribe(resident, "phone")
    receiver.answer("phone", 500, 500, 500)
    [note_id] = send(app, [resident.id])

    delays = []
    for attempt in (1, 2):
        before = utcnow()
        report = run_worker(app)
        assert report.retried == 1 and report.errors == []
        message = outbox(app, note_id)
        assert (message.status, message.attempts) == ("pending", attempt)
        delays.append((message.next_attempt_at - before).total_seconds())
        assert run_worker(app).claimed == 0  # not due yet
        make_due(app)
    assert 50 <= delays[0] <= 101 and 100 <= delays[1] <= 201  # doubling, with jitter

    report = run_worker(app)
    assert report.failed == 1
    message = outbox(app, note_id)
    assert (message.status, message.attempts) == ("failed", 3)
    assert [d.outcome for d in deliveries(app)] == ["retry", "retry", "failed"]
    assert len(receiver.received) == 3 and subscriptions(app) == 1


def test_rate_limited_push_waits_at_least_retry_after_and_only_resends_to_the_device_that_missed(
        app, monkeypatch, make_resident, receiver, subscribe):
    monkeypatch.setitem(app.config, "PUSH_BACKOFF_SECONDS", 1)
    resident = make_resident()
    subscribe(resident, "phone")
    subscribe(resident, "tablet")
    receiver.answer("tablet", 429)
    [note_id] = send(app, [resident.id])
    before = utcnow()
    run_worker(app)
    message = outbox(app, note_id)
    assert message.status == "pending"
    assert (message.next_attempt_at - before).total_seconds() >= 119  # the receiver said Retry-After: 120
    make_due(app)
    run_worker(app)
    assert outbox(app, note_id).status == "done"
    assert len(receiver.for_device("phone")) == 1 and len(receiver.for_device("tablet")) == 2


def test_timeouts_and_refused_connections_are_retried(app, monkeypatch, make_resident, receiver, subscribe):
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 0.3)
    slow, down = make_resident(), make_resident()
    subscribe(slow, "slow")
    receiver.delays["slow"] = 1.5
    subscribe(down, endpoint=closed_port_endpoint())
    ids = send(app, [slow.id, down.id])
    report = run_worker(app)
    assert report.retried == 2 and report.errors == []
    errors = {outbox(app, i).last_error for i in ids}
    assert "timeout" in errors and any(e.startswith("connection error") for e in errors)
    assert {outbox(app, i).status for i in ids} == {"pending"}


def test_nothing_raises_out_of_the_worker(app, monkeypatch, make_resident, receiver, subscribe):
    import pywebpush

    from citizen_app.notifications import webpush

    resident = make_resident()
    subscribe(resident, "phone")
    [note_id] = send(app, [resident.id])

    def explode(*_args, **_kwargs):
        raise RuntimeError("library bug")

    monkeypatch.setattr(webpush, "webpush", explode)
    report = run_worker(app)
    assert report.retried == 1 and report.errors == []
    assert "library bug" in outbox(app, note_id).last_error

    from citizen_app.notifications import worker

    monkeypatch.setattr(webpush, "webpush", pywebpush.webpush)
    monkeypatch.setattr(worker, "payload_for", explode)  # a bug in the batch itself
    make_due(app)
    report = run_worker(app)
    assert report.claimed == 1 and report.errors and "library bug" in report.errors[0]
    assert outbox(app, note_id).status == "sending"  # left for the lease to bring back
    assert len(receiver.received) == 0


def test_users_without_devices_get_the_inbox_item_only(app, client, make_resident, auth_headers, receiver):
    resident = make_resident()
    [note_id] = send(app, [resident.id])
    report = run_worker(app)
    assert report.skipped == 1 and receiver.received == []
    message = outbox(app, note_id)
    assert (message.status, message.last_error) == ("skipped", "no subscription")
    inbox = client.get("/api/v1/notifications", headers=auth_headers(resident)).json
    assert [n["id"] for n in inbox["items"]] == [note_id]


def test_a_worker_killed_mid_batch_loses_nothing(app, monkeypatch, make_resident, receiver, subscribe):
    from citizen_app.notifications.worker import PushWorker

    monkeypatch.setitem(app.config, "PUSH_LEASE_SECONDS", 30)
    residents = [make_resident() for _ in range(5)]
    for r in residents:
        subscribe(r, f"r{r.id}")
    ids = send(app, [r.id for r in residents])

    with app.app_context():  # a worker claims a batch, then dies before sending or recording anything
        token, claimed, _deadline = PushWorker(1, batch_size=3).claim()
        db.session.remove()
    assert len(claimed) == 3
    assert run_worker(app).claimed == 2  # the rest; the dead worker's lease still holds its three
    assert len(receiver.received) == 2

    with app.app_context():  # time passes beyond the lease
        db.session.execute(update(OutboxMessage).where(OutboxMessage.claim_token == token)
                           .values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert run_worker(app).claimed == 3
    assert sorted(int(r.path.rsplit("r", 1)[-1]) for r in receiver.received) == sorted(r.id for r in residents)
    assert {outbox(app, i).status for i in ids} == {"done"}


def test_the_dead_workers_late_results_do_not_overwrite_the_new_claim(app, make_resident, receiver, subscribe):
    from citizen_app.notifications.outbox import final_update
    from citizen_app.notifications.worker import PushWorker

    resident = make_resident()
    subscribe(resident, "phone")
    [note_id] = send(app, [resident.id])
    with app.app_context():
        stale_token, _ids, _ = PushWorker(1).claim()
        db.session.execute(update(OutboxMessage).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        fresh_token, ids, _ = PushWorker(1).claim()
        assert ids and fresh_token != stale_token
        message = db.session.get(OutboxMessage, ids[0])
        PushWorker(1)._record(stale_token, [], [], [final_update(message, "failed", "late")])
        assert db.session.get(OutboxMessage, ids[0]).status == "sending"
        db.session.remove()
    assert outbox(app, note_id).claim_token == fresh_token


def test_worker_command_drains_the_outbox(app, runner, make_resident, receiver, subscribe):
    resident = make_resident()
    subscribe(resident, "phone")
    send(app, [resident.id])
    result = runner.invoke(args=["worker", "--once", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    assert "delivered 1" in result.output
    assert len(receiver.received) == 1


def test_inbox_item_exists_exactly_when_the_change_commits(app, make_resident):
    resident = make_resident()
    with app.app_context():
        notify([resident.id], "parking.expiring", "Parkir hampir habis", "Sisa 10 menit.", url="/#/parking")
        db.session.rollback()  # the caller's change failed
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_one_vapid_token_per_push_service_is_reused_while_fresh(app, client, make_resident, receiver, subscribe):
    import time

    from citizen_app.notifications.vapid import ReusingVapid

    first, second = make_resident(), make_resident()
    devices = {"a": subscribe(first, "a"), "b": subscribe(second, "b")}
    send(app, [first.id, second.id])
    run_worker(app)
    server_key = client.get("/api/v1/push/vapid-public-key").json["public_key"]
    headers = {r.headers["authorization"] for r in receiver.received}
    assert len(receiver.received) == 2 and len(headers) == 1
    for name, device in devices.items():
        verify_vapid(receiver.for_device(name)[0].headers["authorization"], device.endpoint, server_key)

    key = ReusingVapid()
    key.generate_keys()
    claims = {"sub": "mailto:admin@kupang.go.id", "aud": "https://fcm.googleapis.com"}
    long_lived = key.sign({**claims, "exp": int(time.time()) + 12 * 3600})
    assert key.sign({**claims, "exp": int(time.time()) + 12 * 3600}) == long_lived
    assert key.sign({**claims, "aud": "https://web.push.apple.com", "exp": int(time.time()) + 12 * 3600}) != long_lived
    short = ReusingVapid()
    short.generate_keys()
    soon = {**claims, "exp": int(time.time()) + 300}  # would expire within the reuse window: never reused
    assert short.sign(soon) != short.sign(soon)


def test_expired_subscriptions_are_pruned_without_sending(app, make_resident, receiver, subscribe):
    resident = make_resident()
    subscribe(resident, "old")
    with app.app_context():
        db.session.execute(update(PushSubscription).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    [note_id] = send(app, [resident.id])
    report = run_worker(app)
    assert report.skipped == 1 and receiver.received == []
    assert subscriptions(app) == 0
    assert [d.outcome for d in deliveries(app)] == ["pruned"]
    assert outbox(app, note_id).status == "skipped"
