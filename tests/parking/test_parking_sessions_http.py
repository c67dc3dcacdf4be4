import io

from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.parking.models import ParkingSession
from tests.parking.conftest import SURCHARGE_ZONE, ZONE


def test_zones_are_public_with_tariffs_and_location(client):
    res = client.get("/api/v1/parking/zones")
    assert res.status_code == 200
    assert res.json["total"] == 5 and res.json["page"] == 1
    zones = {z["code"]: z for z in res.json["items"]}
    assert set(zones) == {"KPG-ELTARI", "KPG-SOEHARTO", "KPG-PASAR-OEBA", "KPG-RSUD", "KPG-LIPPO"}
    assert zones[ZONE]["tariffs"] == {"motorcycle": 2000, "car": 5000, "six_wheel": 7000, "heavy": 10000}
    assert zones[ZONE]["location"] == {"latitude": -10.1712, "longitude": 123.5863}
    assert zones[SURCHARGE_ZONE]["hourly_surcharge"] == 1000 and zones[SURCHARGE_ZONE]["free_hours"] == 1


def test_zone_sign_qr_opens_the_app_on_that_zone(client):
    detail = client.get(f"/api/v1/parking/zones/{ZONE}").json
    assert detail["sign_url"] == f"http://localhost/#/parking/zone/{ZONE}"
    png = client.get(detail["sign_qr_url"])
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert decode(Image.open(io.BytesIO(png.data)))[0].data.decode() == detail["sign_url"]
    assert client.get("/api/v1/parking/zones/NOPE").status_code == 404
    assert client.get("/api/v1/parking/zones/NOPE/qr.png").status_code == 404
    assert client.get("/api/v1/parking/zones/KPG%00X").status_code == 404


def test_start_normalises_the_plate_and_refuses_a_second_active_session(client, resident, start, make_resident):
    session = start(resident, plate=" dh-1234 ab ")
    assert session["plate_number"] == "DH 1234 AB"
    assert session["status"] == "active" and session["amount_due"] == 5000 and session["zone_code"] == ZONE
    other = make_resident()
    dup = start(other, plate="DH1234AB", expect=409)
    assert dup["code"] == "conflict"
    start(resident, plate="DH 1234 AB", zone="KPG-ELTARI")  # another zone is another parking
    start(resident, plate="B 1 XYZ", vehicle_class="motorcycle")


def test_invalid_input_is_a_422_and_stores_nothing(app, resident, start):
    for plate in ("1234", "DHX 1234 AB", "DH 12345", "DH 1234 ABCD", "", "DH 12#4"):
        body = start(resident, plate=plate, expect=422)
        assert "plate_number" in body["errors"], plate
    assert "zone_code" in start(resident, zone="NOPE", expect=422)["errors"]
    assert "zone_code" in start(resident, zone="KPG\x00X", expect=422)["errors"]
    assert "vehicle_class" in start(resident, vehicle_class="tank", expect=422)["errors"]
    with app.app_context():
        assert db.session.scalar(select(ParkingSession)) is None


def test_database_holds_one_active_session_per_plate_and_zone(app, resident):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from citizen_app.common.time import utcnow

    with app.app_context():
        for _ in range(2):
            db.session.add(ParkingSession(zone_code=ZONE, plate_number="DH 1 A", vehicle_class="car",
                                          started_by_id=resident.id, status="active", started_on=utcnow().date()))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        for status in ("paid", "paid", "active"):
            db.session.add(ParkingSession(zone_code=ZONE, plate_number="DH 1 A", vehicle_class="car",
                                          started_by_id=resident.id, status=status, started_on=utcnow().date()))
        db.session.commit()


def test_sessions_belong_to_their_driver(client, auth_headers, resident, make_resident, start):
    session = start(resident)
    stranger = make_resident()
    for method, path in (("get", ""), ("post", "/stop"), ("post", "/cancel"), ("get", "/receipt")):
        res = getattr(client, method)(f"/api/v1/parking/sessions/{session['id']}{path}", headers=auth_headers(stranger))
        assert res.status_code == 404, path
    mine = client.get("/api/v1/parking/sessions", headers=auth_headers(resident)).json
    assert [s["id"] for s in mine["items"]] == [session["id"]] and mine["total"] == 1
    assert client.get("/api/v1/parking/sessions", headers=auth_headers(stranger)).json["total"] == 0
    assert client.get(f"/api/v1/parking/sessions/{session['id']}", headers=auth_headers(resident)).status_code == 200
    assert client.get("/api/v1/parking/sessions").status_code == 401


def test_stop_fixes_the_amount(client, auth_headers, resident, start):
    session = start(resident, vehicle_class="heavy")
    res = client.post(f"/api/v1/parking/sessions/{session['id']}/stop", headers=auth_headers(resident))
    assert res.status_code == 200
    assert res.json["status"] == "stopped" and res.json["amount_due"] == 10000 and res.json["ended_at"]
    again = client.post(f"/api/v1/parking/sessions/{session['id']}/stop", headers=auth_headers(resident))
    assert again.status_code == 200 and again.json["amount_due"] == 10000
    # stopped frees the plate for a new session
    start(resident, vehicle_class="heavy")


def test_attendant_starts_for_a_driver_and_sees_only_their_zones(client, auth_headers, attendant, make_user,
                                                                  resident, start):
    walk_in = start(attendant, plate="DH 777 X", vehicle_class="motorcycle")
    assert walk_in["user_id"] is None and walk_in["started_by_id"] == attendant.id
    start(attendant, zone="KPG-ELTARI", expect=403)
    start(resident, plate="DH 9 Z", zone="KPG-ELTARI")
    listed = client.get("/api/v1/parking/sessions", headers=auth_headers(attendant)).json
    assert {s["zone_code"] for s in listed["items"]} == {ZONE}
    elsewhere = make_user("parking_attendant", zone_code="KPG-ELTARI")
    res = client.get(f"/api/v1/parking/sessions/{walk_in['id']}", headers=auth_headers(elsewhere))
    assert res.status_code == 403
    clerk = make_user("clerk")
    start(clerk, expect=403)


def test_cancel_by_driver_soon_after_start(client, auth_headers, resident, start):
    session = start(resident)
    res = client.post(f"/api/v1/parking/sessions/{session['id']}/cancel", headers=auth_headers(resident))
    assert res.status_code == 200 and res.json["status"] == "cancelled" and res.json["amount_due"] == 0
    again = client.post(f"/api/v1/parking/sessions/{session['id']}/cancel", headers=auth_headers(resident))
    assert again.status_code == 409


def test_messages_in_indonesian_by_default_and_english_on_request(client, auth_headers, resident):
    body = {"zone_code": ZONE, "plate_number": "12", "vehicle_class": "car"}
    res = client.post("/api/v1/parking/sessions", headers=auth_headers(resident), json=body)
    assert res.json["errors"]["plate_number"] == ["Nomor polisi tidak sah (contoh: DH 1234 AB)."]
    res = client.post("/api/v1/parking/sessions", headers=auth_headers(resident, **{"Accept-Language": "en"}),
                      json=body)
    assert res.json["errors"]["plate_number"] == ["Not a valid Indonesian plate number (e.g. DH 1234 AB)."]
