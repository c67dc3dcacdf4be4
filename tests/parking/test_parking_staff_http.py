import csv
import io
from datetime import timedelta

from sqlalchemy import select, update

from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.notifications.models import Notification
from citizen_app.parking.models import ParkingSession, Payment
from citizen_app.parking.reminders import send_expiry_reminders
from citizen_app.parking.reports import today
from tests.parking.conftest import SURCHARGE_ZONE, ZONE


def city_today(app):
    with app.app_context():
        return today()


def verify(client, auth_headers, user, expect=200, **body):
    res = client.post("/api/v1/parking/verify", headers=auth_headers(user), json=body)
    assert res.status_code == expect, res.json
    return res.json


def test_receipt_qr_proves_payment_and_cannot_be_forged(client, auth_headers, resident, attendant, start, pay,
                                                        settle):
    session = start(resident)
    res = client.get(f"/api/v1/parking/sessions/{session['id']}/receipt", headers=auth_headers(resident))
    assert res.status_code == 409  # no receipt before payment
    settle(pay(resident, session["id"])["reference"])
    receipt = client.get(f"/api/v1/parking/sessions/{session['id']}/receipt", headers=auth_headers(resident)).json
    assert receipt["qr"].endswith("/#/parking/receipt/" + receipt["receipt_code"])
    assert receipt["payment"]["method"] == "qris" and receipt["session"]["status"] == "paid"
    checked = verify(client, auth_headers, attendant, qr=receipt["qr"])
    assert checked["status"] == "paid" and checked["session"]["plate_number"] == "DH 1234 AB"
    assert verify(client, auth_headers, attendant, qr=receipt["receipt_code"].lower())["status"] == "paid"
    code = receipt["receipt_code"]
    forged_other_session = f"R{session['id'] + 1}-" + code.split("-")[1]
    forged_signature = code[:-1] + ("A" if code[-1] != "A" else "B")
    for qr in (forged_other_session, forged_signature, "hello", "R1-AAAA"):
        assert "qr" in verify(client, auth_headers, attendant, expect=422, qr=qr)["errors"]
    assert client.post("/api/v1/parking/verify", headers=auth_headers(resident), json={"qr": code}).status_code == 403


def test_check_by_plate_and_zone(client, auth_headers, resident, attendant, make_user, start, pay):
    ask = {"plate_number": "dh 1234 ab", "zone_code": ZONE}
    nothing = verify(client, auth_headers, attendant, **ask)
    assert (nothing["status"], nothing["session"], nothing["plate_number"]) == ("unpaid", None, "DH 1234 AB")
    session = start(resident)
    assert verify(client, auth_headers, attendant, **ask)["status"] == "active"
    client.post(f"/api/v1/parking/sessions/{session['id']}/stop", headers=auth_headers(resident))
    assert verify(client, auth_headers, attendant, **ask)["status"] == "unpaid"
    pay(attendant, session["id"], "cash")
    result = verify(client, auth_headers, attendant, **ask)
    assert result["status"] == "paid" and result["session"]["id"] == session["id"]
    elsewhere = make_user("parking_attendant", zone_code="KPG-ELTARI")
    verify(client, auth_headers, elsewhere, expect=403, **ask)
    assert "qr" in verify(client, auth_headers, attendant, expect=422, plate_number="DH 1 A")["errors"]
    assert "plate_number" in verify(client, auth_headers, attendant, expect=422, plate_number="??",
                                    zone_code=ZONE)["errors"]


def test_attendant_today_and_cash_deposits_reconcile(app, client, auth_headers, resident, attendant, admin, start, pay,
                                                     settle):
    cash_sessions = [start(attendant, plate=f"DH {i} C", vehicle_class="motorcycle") for i in range(3)]
    for s in cash_sessions:
        pay(attendant, s["id"], "cash")
    settle(pay(resident, start(resident)["id"])["reference"])
    start(resident, plate="DH 99 Z")
    day = client.get("/api/v1/parking/attendant/today", headers=auth_headers(attendant)).json
    assert day["by_method"] == {"cash": {"payments": 3, "amount": 6000}, "qris": {"payments": 1, "amount": 5000}}
    assert day["total"] == 11000 and day["cash_collected"] == 6000 and day["cash_not_deposited"] == 6000
    assert day["sessions_started"] == 5 and day["sessions_active"] == 1 and day["date"] == city_today(app).isoformat()

    res = client.post("/api/v1/parking/deposits", headers=auth_headers(attendant), json={"amount": 4000})
    assert res.status_code == 201 and res.json["status"] == "recorded"
    deposit = res.json
    assert client.post("/api/v1/parking/deposits", headers=auth_headers(resident),
                       json={"amount": 4000}).status_code == 403
    assert client.post("/api/v1/parking/deposits", headers=auth_headers(attendant),
                       json={"amount": 0}).status_code == 422
    assert client.post(f"/api/v1/parking/deposits/{deposit['id']}/confirm",
                       headers=auth_headers(attendant)).status_code == 403
    report = client.get("/api/v1/parking/reports/revenue", headers=auth_headers(admin)).json
    assert report["cash"] == [{"attendant_id": attendant.id, "attendant": attendant.username, "cash_recorded": 6000,
                               "deposited_confirmed": 0, "deposited_pending": 4000, "outstanding": 6000}]
    confirmed = client.post(f"/api/v1/parking/deposits/{deposit['id']}/confirm", headers=auth_headers(admin))
    assert confirmed.status_code == 200 and confirmed.json["confirmed_by_id"] == admin.id
    assert client.post(f"/api/v1/parking/deposits/{deposit['id']}/confirm",
                       headers=auth_headers(admin)).status_code == 409
    report = client.get("/api/v1/parking/reports/revenue", headers=auth_headers(admin)).json
    assert report["cash"][0]["deposited_confirmed"] == 4000 and report["cash"][0]["outstanding"] == 2000
    listed = client.get("/api/v1/parking/deposits", headers=auth_headers(attendant)).json
    assert listed["total"] == 1 and listed["items"][0]["status"] == "confirmed"
    day = client.get("/api/v1/parking/attendant/today", headers=auth_headers(attendant)).json
    assert day["cash_not_deposited"] == 2000


def test_revenue_report_per_zone_attendant_method_and_day(app, client, auth_headers, resident, attendant, admin,
                                                          start, pay, settle, topup):
    pay(attendant, start(attendant, plate="DH 1 C")["id"], "cash")
    pay(attendant, start(attendant, plate="DH 2 C", zone=SURCHARGE_ZONE, vehicle_class="heavy")["id"], "cash")
    settle(pay(resident, start(resident)["id"])["reference"])
    topup(resident, 10000)  # wallet money is not parking revenue until spent
    pay(resident, start(resident, plate="DH 3 W", vehicle_class="motorcycle")["id"], "wallet")
    pay(resident, start(resident, plate="DH 4 P")["id"])  # pending: not revenue
    report = client.get("/api/v1/parking/reports/revenue", headers=auth_headers(admin)).json
    assert report["total"] == 5000 + 10000 + 5000 + 2000 and report["payments"] == 4
    assert {m["method"]: m["amount"] for m in report["by_method"]} == {"cash": 15000, "qris": 5000, "wallet": 2000}
    assert {z["zone_code"]: z["amount"] for z in report["by_zone"]} == {ZONE: 12000, SURCHARGE_ZONE: 10000}
    assert report["by_attendant"] == [{"attendant_id": attendant.id, "payments": 2, "amount": 15000}]
    assert report["by_day"] == [{"date": city_today(app).isoformat(), "payments": 4, "amount": 22000}]
    only = client.get(f"/api/v1/parking/reports/revenue?zone={SURCHARGE_ZONE}", headers=auth_headers(admin)).json
    assert only["total"] == 10000 and [r["method"] for r in only["rows"]] == ["cash"]
    res = client.get("/api/v1/parking/reports/revenue?format=csv", headers=auth_headers(admin))
    assert res.status_code == 200 and res.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    assert sum(int(r["amount"]) for r in rows) == 22000 and {r["method"] for r in rows} == {"cash", "qris", "wallet"}
    assert rows[0]["date"] == city_today(app).isoformat()
    yesterday = (city_today(app) - timedelta(days=1)).isoformat()
    old = client.get(f"/api/v1/parking/reports/revenue?from={yesterday}&to={yesterday}", headers=auth_headers(admin))
    assert old.json["total"] == 0 and old.json["rows"] == []
    bad = client.get(f"/api/v1/parking/reports/revenue?from={city_today(app).isoformat()}&to={yesterday}",
                     headers=auth_headers(admin))
    assert bad.status_code == 422
    assert client.get("/api/v1/parking/reports/revenue?from=2020-01-01&to=2026-01-01",
                      headers=auth_headers(admin)).status_code == 422
    assert client.get("/api/v1/parking/reports/revenue", headers=auth_headers(attendant)).status_code == 403


def test_reminder_once_shortly_before_the_surcharge(app, resident, start):
    session = start(resident, zone=SURCHARGE_ZONE)
    flat = start(resident, plate="DH 2 F")  # no surcharge in this zone: nothing to remind
    started = utcnow() - timedelta(minutes=30)
    with app.app_context():
        db.session.execute(update(ParkingSession).values(started_at=started))
        db.session.commit()
        assert send_expiry_reminders(started + timedelta(minutes=40)) == 0  # too early
        assert send_expiry_reminders(started + timedelta(minutes=52)) == 1
        assert send_expiry_reminders(started + timedelta(minutes=55)) == 0  # already reminded
        note = db.session.scalar(select(Notification).where(Notification.event == "parking.expiring"))
        assert note.user_id == resident.id and str(session["id"]) in note.url and "8 menit" in note.body
        assert db.session.get(ParkingSession, flat["id"]).reminded_at is None


def test_the_timed_jobs_send_due_reminders_once(app, resident, start):
    from citizen_app.jobs import run_jobs

    session = start(resident, zone=SURCHARGE_ZONE)
    with app.app_context():
        db.session.execute(update(ParkingSession).values(started_at=utcnow() - timedelta(minutes=52)))
        db.session.commit()
        run_jobs()
        run_jobs()
        notes = db.session.scalars(select(Notification).where(Notification.event == "parking.expiring")).all()
        assert [n.user_id for n in notes] == [resident.id]
        assert db.session.get(ParkingSession, session["id"]).reminded_at is not None


def test_reminder_command(app, runner):
    result = runner.invoke(args=["parking", "remind"])
    assert result.exit_code == 0 and "reminders sent: 0" in result.output


def test_payments_cannot_be_read_by_strangers(client, auth_headers, resident, make_resident, start, pay):
    payment = pay(resident, start(resident)["id"])
    assert client.get(f"/api/v1/parking/payments/{payment['id']}",
                      headers=auth_headers(make_resident())).status_code == 404


def test_ledger_always_balances(app, resident, attendant, start, pay, settle, topup):
    topup(resident, 20000)
    pay(resident, start(resident)["id"], "wallet")
    pay(attendant, start(attendant, plate="DH 8 C")["id"], "cash")
    settle(pay(resident, start(resident, plate="DH 9 Q")["id"])["reference"])
    with app.app_context():
        from sqlalchemy import func

        from citizen_app.parking.models import LedgerEntry

        assert db.session.scalar(select(func.sum(LedgerEntry.amount))) == 0
        paid = db.session.scalar(select(func.sum(Payment.amount)).where(Payment.status == "paid",
                                                                         Payment.purpose == "parking"))
        assert db.session.scalar(select(func.sum(LedgerEntry.amount))
                                 .where(LedgerEntry.account == "city:parking")) == paid
