from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from citizen_app.cities.services import load_city
from citizen_app.errors import ValidationFailed
from citizen_app.extensions import db
from citizen_app.parking.models import ParkingTariff, ParkingZone
from citizen_app.parking.tariffs import amount_due, normalise_plate

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw, canonical", [
    ("DH 1234 AB", "DH 1234 AB"), ("dh1234ab", "DH 1234 AB"), ("DH-1234-AB", "DH 1234 AB"),
    ("B 1 A", "B 1 A"), ("B1", "B 1"), (" ed 5678 ", "ED 5678"), ("AB 1234 XYZ", "AB 1234 XYZ"),
])
def test_plates_are_normalised(raw, canonical):
    assert normalise_plate(raw) == canonical


@pytest.mark.parametrize("raw", ["", "1234", "ABC 1 A", "DH 12345", "DH 1234 ABCD", "DH", "D H 1 2 3 4 A B 5"])
def test_bad_plates_are_refused(raw):
    with pytest.raises(ValidationFailed):
        normalise_plate(raw)


def zone(**kw):
    return ParkingZone(code="Z", tariffs={"car": 5000, "motorcycle": 2000}, hourly_surcharge=kw.get("surcharge", 0),
                       free_hours=kw.get("free_hours"))


def test_flat_tariff_does_not_grow():
    assert amount_due(zone(), "car", T0, T0 + timedelta(hours=9)) == 5000
    assert amount_due(zone(), "motorcycle", T0, T0) == 2000


@pytest.mark.parametrize("minutes, expected", [(0, 5000), (60, 5000), (61, 6000), (120, 6000), (121, 7000),
                                               (60 * 5 + 1, 10000)])
def test_surcharge_per_started_hour_after_the_free_hours(minutes, expected):
    assert amount_due(zone(surcharge=1000, free_hours=1), "car", T0, T0 + timedelta(minutes=minutes)) == expected


def test_surcharge_with_three_free_hours():
    z = zone(surcharge=1000, free_hours=3)
    assert amount_due(z, "car", T0, T0 + timedelta(hours=3)) == 5000
    assert amount_due(z, "car", T0, T0 + timedelta(hours=3, seconds=1)) == 6000


def test_pack_loads_zones_with_tariffs_idempotently(app):
    with app.app_context():
        rsud = db.session.scalar(select(ParkingZone).where(ParkingZone.code == "KPG-RSUD"))
        assert rsud.tariffs["six_wheel"] == 7000 and rsud.free_hours == 1 and rsud.hourly_surcharge == 1000
        assert rsud.kelurahan_code == "53.71.03.1001" and rsud.city_code == "kupang"
        before = db.session.execute(select(ParkingZone.id, ParkingZone.code)).all()
        load_city("kupang")
        assert db.session.execute(select(ParkingZone.id, ParkingZone.code)).all() == before


def test_ternate_gets_national_tariffs_and_no_kupang_zones(app):
    with app.app_context():
        summary = load_city("ternate")
        assert summary["parking"] == {"tariffs": 4, "zones": 0}
        tariffs = dict(db.session.execute(select(ParkingTariff.vehicle_class, ParkingTariff.amount)
                                          .where(ParkingTariff.city_code == "ternate")).all())
        assert tariffs == {"motorcycle": 2000, "car": 5000, "six_wheel": 7000, "heavy": 10000}
        assert db.session.scalar(select(ParkingZone).where(ParkingZone.city_code == "ternate")) is None


def test_ternate_serves_no_zones_and_its_own_merchant(app, client):
    from citizen_app.cities.services import _profile_cache
    from citizen_app.parking import payments

    with app.app_context():
        load_city("ternate")
    app.config["CITY"] = "ternate"
    _profile_cache.clear()
    try:
        assert client.get("/api/v1/parking/zones").json["items"] == []
        assert client.get("/api/v1/parking/zones/KPG-RSUD").status_code == 404
        with app.app_context():
            merchant = payments.merchant()
        assert merchant.city == "KOTA TERNATE" and merchant.name == "RETRIBUSI PARKIR TERNATE"
    finally:
        app.config["CITY"] = "kupang"
        _profile_cache.clear()


def test_demo_puts_the_attendant_on_the_first_zone(app):
    from citizen_app.identity.models import User
    from citizen_app.parking.pack import demo

    jukir = User(role="parking_attendant", username="jukir")
    with app.app_context():
        lines = demo({"jukir": jukir})
    assert jukir.zone_code == "KPG-ELTARI" and "KPG-ELTARI" in lines[0]
