"""Rules below the HTTP layer: the database guard on one active call per team, concurrent dispatchers,
distances and the city centre."""

import threading

import pytest
from brigade_helpers import CALL, make_team, place
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from citizen_app.brigade import pack
from citizen_app.brigade.geo import eta_minutes, haversine_km
from citizen_app.brigade.models import BrigadeCall, BrigadeTeam
from citizen_app.brigade.transitions import apply_action
from citizen_app.errors import ApiError, Conflict
from citizen_app.extensions import db
from citizen_app.identity.models import User
from tests.conftest import is_postgres


def test_haversine_and_eta():
    # Kupang to Ternate is about 1,250 km; one degree of latitude about 111.2 km.
    assert 1200 < haversine_km(-10.1772, 123.607, 0.7893, 127.377) < 1300
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.19, abs=0.01)
    assert haversine_km(-10.1, 123.6, -10.1, 123.6) == 0


def test_eta_uses_road_factor_and_speed(app, monkeypatch):
    with app.test_request_context():
        assert eta_minutes(10) == 28  # 10 km × 1.4 at 30 km/h = 28 min
        assert eta_minutes(0) == 1  # never "0 minutes away" while not there
        monkeypatch.setitem(app.config, "BRIGADE_SPEED_KMH", 60)
        assert eta_minutes(10) == 14


def test_city_centres_come_from_the_pack_and_a_city_without_one_is_not_checked(app, monkeypatch, tmp_path):
    with app.app_context():
        assert pack.city_centre() == (-10.1772, 123.607)
        monkeypatch.setitem(app.config, "CITY", "ternate")
        monkeypatch.setattr(pack, "_centres", {})
        monkeypatch.setattr(pack, "current_city_profile", lambda: {"code": "ternate"})
        assert pack.city_centre() == (0.7893, 127.377)
        monkeypatch.setattr(pack, "_centres", {})
        monkeypatch.setattr(pack, "current_city_profile", lambda: {"center": [1.0, 2.0]})
        assert pack.city_centre() == (1.0, 2.0)  # city.json wins over brigade.json

        class NoCentre:
            @staticmethod
            def named(_code):
                class Pack:
                    def read_json(self, _name, fallback_to_default=True):
                        assert fallback_to_default is False  # never Kupang's centre for another city
                        return None
                return Pack()

        monkeypatch.setattr(pack, "_centres", {})
        monkeypatch.setattr(pack, "current_city_profile", lambda: {})
        monkeypatch.setattr(pack, "CityPack", NoCentre)
        assert pack.city_centre() is None and pack.distance_from_centre_km(50.0, 10.0) is None


def test_the_database_refuses_a_second_active_call_for_a_team(app, make_resident):
    resident = make_resident()
    team_id = make_team(app)
    fields = {k: v for k, v in CALL.items()}
    with app.app_context():
        for status in ("completed", "en_route", "cancelled"):
            db.session.add(BrigadeCall(resident_id=resident.id, **fields, status=status, team_id=team_id))
        db.session.commit()  # finished calls don't count
        db.session.add(BrigadeCall(resident_id=resident.id, **fields, status="dispatched", team_id=team_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_stale_call_is_a_conflict_not_a_double_dispatch(app, client, crew):
    h = crew["h"]
    call_id = place(client, h["resident"]).json["id"]
    with app.app_context():
        dispatcher = db.session.get(User, crew["users"]["dispatcher"].id)
        apply_action(dispatcher, call_id, {"action": "triage", "priority": "red"})
        call = db.session.get(BrigadeCall, call_id)
        db.session.commit()  # this session's transaction ends (writers take turns), its old version of the call stays
        # Someone else assigns team B while this session still holds the old version of the call.
        with app.app_context():
            other = db.session.get(User, crew["users"]["dispatcher"].id)
            apply_action(other, call_id, {"action": "assign", "team_id": crew["team_b"]})
        assert call.status == "triaged"
        with pytest.raises(Conflict):
            apply_action(dispatcher, call_id, {"action": "assign", "team_id": crew["team_a"]})
        db.session.rollback()
        assert db.session.get(BrigadeCall, call_id).team_id == crew["team_b"]
        assert db.session.get(BrigadeTeam, crew["team_a"]).status == "available"




def test_two_dispatchers_racing_for_one_team(app, client, crew, make_resident, auth_headers):
    if not is_postgres(app):
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    h = crew["h"]
    calls = []
    for i in range(6):
        res = place(client, auth_headers(make_resident()), contact_phone=f"08177700{i:04d}")
        calls.append(res.json["id"])
        client.post(f"/api/v1/brigade/calls/{calls[-1]}/actions", json={"action": "triage", "priority": "red"},
                    headers=h["dispatcher"])
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def assign(call_id):
        with app.app_context():
            actor = db.session.get(User, crew["users"]["dispatcher"].id)
            barrier.wait()
            try:
                apply_action(actor, call_id, {"action": "assign", "team_id": crew["team_a"]})
                outcomes.append("ok")
            except ApiError as exc:
                outcomes.append(exc.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=assign, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and outcomes.count(409) == len(calls) - 1
    with app.app_context():
        holding = db.session.scalars(select(BrigadeCall).where(BrigadeCall.team_id == crew["team_a"])).all()
        assert len(holding) == 1 and holding[0].status == "dispatched"
