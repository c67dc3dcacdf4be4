from sqlalchemy import func, select

from citizen_app.cities.models import City
from citizen_app.cities.services import load_city
from citizen_app.extensions import db
from citizen_app.regions.models import Kecamatan, Kelurahan


def counts(city):
    return (
        db.session.scalar(select(func.count()).select_from(Kecamatan).where(Kecamatan.city_code == city)),
        db.session.scalar(select(func.count()).select_from(Kelurahan).where(Kelurahan.city_code == city)),
    )


def test_city_load_is_idempotent(app, runner):
    first = runner.invoke(args=["city", "load", "kupang"])
    second = runner.invoke(args=["city", "load", "kupang"])
    assert first.exit_code == second.exit_code == 0, first.output
    with app.app_context():
        assert counts("kupang") == (6, 51)
        kel = db.session.get(Kelurahan, "53.71.01.1001")
        assert kel.name == "Namosain" and kel.postal_code == "85232" and kel.kecamatan.name == "Alak"


def test_unknown_city_is_a_clear_error(runner):
    res = runner.invoke(args=["city", "load", "atlantis"])
    assert res.exit_code != 0 and "atlantis" in res.output and "kupang" in res.output


def test_ternate_loads_and_serves_without_code_change(app, client):
    with app.app_context():
        load_city("ternate")
        assert counts("ternate") == (8, 78)
        assert db.session.get(City, "ternate").timezone == "Asia/Jayapura"
    app.config["CITY"] = "ternate"
    try:
        city = client.get("/api/v1/city").json
        assert city["name"] == "Kota Ternate" and city["kelurahan_count"] == 78
        kel = client.get("/api/v1/regions/kelurahan?q=jambula").json
        assert kel["items"][0]["code"] == "82.71.01.1001"
        reg = client.post("/api/v1/auth/register", json={
            "nik": "8271011505900001", "full_name": "Ahmad Sidik", "birth_date": "1990-05-15", "gender": "male",
            "phone": "082190001111", "password": "kata-sandi-aman", "kelurahan_code": "82.71.01.1001",
            "address": "Jambula",
        })
        assert reg.status_code == 201, reg.json
    finally:
        app.config["CITY"] = "kupang"
        from citizen_app.cities.services import _profile_cache

        _profile_cache.clear()
