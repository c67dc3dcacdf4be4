from datetime import timedelta

import pytest
from brigade_helpers import CALL, act, place
from sqlalchemy import func, select

from citizen_app.brigade.models import BrigadeCall, BrigadeCallEvent
from citizen_app.extensions import db


def call_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BrigadeCall))


def test_resident_places_a_call_and_sees_it(app, client, make_resident, auth_headers):
    resident = make_resident()
    res = place(client, auth_headers(resident))
    assert res.status_code == 201, res.json
    body = res.json
    assert body["status"] == "received" and body["priority"] is None and body["team"] is None
    assert body["contact_phone"] == "+6281234567890"  # normalised
    assert body["category"] == "sesak_napas" and body["patient_age"] == 67
    assert body["possible_duplicate_of"] is None and body["eta_minutes"] is None
    detail = client.get(f"/api/v1/brigade/calls/{body['id']}", headers=auth_headers(resident)).json
    assert [(e["action"], e["status"]) for e in detail["timeline"]] == [("call", "received")]
    assert detail["timeline"][0]["by"] == {"role": "resident", "name": None}
    mine = client.get("/api/v1/brigade/calls", headers=auth_headers(resident)).json
    assert mine["total"] == 1 and mine["items"][0]["id"] == body["id"]


def test_categories_are_listed_for_the_checklist(client):
    res = client.get("/api/v1/brigade/categories")
    assert res.status_code == 200
    codes = [c["code"] for c in res.json]
    assert {"sesak_napas", "nyeri_dada", "kecelakaan", "persalinan", "lainnya"} <= set(codes)
    assert all(c["label"] and c["label_en"] for c in res.json)


@pytest.mark.parametrize("field", sorted(set(CALL) - {"latitude", "longitude"}))
def test_each_missing_field_is_422_and_nothing_is_stored(app, client, make_resident, auth_headers, field):
    body = {k: v for k, v in CALL.items() if k != field}
    res = client.post("/api/v1/brigade/calls", json=body, headers=auth_headers(make_resident()))
    assert res.status_code == 422 and field in res.json["errors"]
    assert call_count(app) == 0


@pytest.mark.parametrize("field, value", [
    ("patient_age", -1), ("patient_age", 131), ("patient_age", 30.5), ("patient_age", "30"),
    ("latitude", -90.01), ("latitude", 91), ("longitude", 180.5), ("longitude", -181), ("latitude", "abc"),
    ("category", "flu"), ("contact_phone", "12345"), ("complaint", ""), ("address", ""), ("patient_name", ""),
])
def test_invalid_values_are_422_naming_the_field(app, client, make_resident, auth_headers, field, value):
    res = place(client, auth_headers(make_resident()), **{field: value})
    assert res.status_code == 422, res.json
    assert field in res.json["errors"]
    assert call_count(app) == 0


def test_age_bounds_are_accepted(client, make_resident, auth_headers):
    headers = auth_headers(make_resident())
    assert place(client, headers, patient_age=0).status_code == 201
    assert place(client, headers, patient_age=130).status_code == 201


def test_a_position_far_from_the_city_is_refused_with_a_clear_message(app, client, make_resident, auth_headers):
    headers = auth_headers(make_resident(), **{"Accept-Language": "en"})
    res = place(client, headers, latitude=-8.65, longitude=115.21)  # Denpasar
    assert res.status_code == 422
    message = res.json["errors"]["latitude"][0]
    assert "km from the city" in message and "60 km" in message
    bahasa = place(client, {"Authorization": headers["Authorization"]}, latitude=-8.65, longitude=115.21)
    assert "radius 60 km" in bahasa.json["errors"]["longitude"][0]
    assert call_count(app) == 0


def test_the_distance_limit_is_configurable(app, client, make_resident, auth_headers, monkeypatch):
    headers = auth_headers(make_resident())
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "BRIGADE_MAX_DISTANCE_KM", 5.0)
        res = place(client, headers, latitude=-10.30, longitude=123.60)  # ~14 km south
        assert res.status_code == 422 and "radius 5 km" in res.json["errors"]["latitude"][0]
    assert place(client, headers, latitude=-10.30, longitude=123.60).status_code == 201


def test_malformed_and_unknown_fields(client, make_resident, auth_headers):
    headers = auth_headers(make_resident())
    res = client.post("/api/v1/brigade/calls", data="{nope", content_type="application/json", headers=headers)
    assert res.status_code == 400
    assert place(client, headers, status="completed").status_code == 422


def test_only_residents_place_calls(client, make_user, auth_headers):
    assert place(client, {}).status_code == 401
    assert place(client, {"Idempotency-Key": "k1"}).status_code == 401
    assert place(client, auth_headers(make_user("dispatcher"))).status_code == 403


def test_same_phone_within_15_minutes_is_flagged_as_possible_duplicate(app, client, make_resident, auth_headers):
    first = place(client, auth_headers(make_resident())).json
    # Another resident (a neighbour) calls for the same patient, giving the same phone in another format.
    second = place(client, auth_headers(make_resident()), contact_phone="+62 812-3456-7890").json
    assert second["possible_duplicate_of"] == first["id"]
    other = place(client, auth_headers(make_resident()), contact_phone="081299990000").json
    assert other["possible_duplicate_of"] is None
    with app.app_context():
        db.session.get(BrigadeCall, first["id"]).created_at -= timedelta(minutes=16)
        db.session.get(BrigadeCall, second["id"]).created_at -= timedelta(minutes=16)
        db.session.commit()
    later = place(client, auth_headers(make_resident())).json
    assert later["possible_duplicate_of"] is None


def test_a_resident_is_rate_limited_per_account(app, client, make_resident, auth_headers):
    resident, other = make_resident(), make_resident()
    limit = int(app.config["RATELIMIT_BRIGADE_CALL"].split()[0])
    for i in range(limit):
        assert place(client, auth_headers(resident), contact_phone=f"08129999000{i}").status_code == 201
    blocked = place(client, auth_headers(resident), contact_phone="0812999900099")
    assert blocked.status_code == 429 and blocked.json["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0
    assert call_count(app) == limit
    assert place(client, auth_headers(other)).status_code == 201  # another account is not blocked


def test_refused_calls_do_not_use_up_the_allowance(app, client, make_resident, auth_headers):
    headers = auth_headers(make_resident())
    limit = int(app.config["RATELIMIT_BRIGADE_CALL"].split()[0])
    for _ in range(limit + 2):
        assert place(client, headers, patient_age=-5).status_code == 422
    assert place(client, headers).status_code == 201


def test_idempotency_key_replays_instead_of_duplicating(app, client, make_resident, auth_headers):
    headers = auth_headers(make_resident(), **{"Idempotency-Key": "offline-queue-7f3a"})
    first = place(client, headers)
    again = place(client, headers)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.headers.get("Idempotent-Replayed") == "true"
    assert call_count(app) == 1
    assert place(client, headers, patient_age=5).status_code == 409  # same key, other body
    # Replays don't count against the rate limit: the queue may retry as often as the network demands.
    limit = int(app.config["RATELIMIT_BRIGADE_CALL"].split()[0])
    for _ in range(limit + 1):
        assert place(client, headers).status_code == 201
    assert call_count(app) == 1


def test_a_replay_is_answered_even_when_the_allowance_is_used_up(app, client, make_resident, auth_headers):
    resident = make_resident()
    limit = int(app.config["RATELIMIT_BRIGADE_CALL"].split()[0])
    ids = []
    for i in range(limit):
        res = place(client, auth_headers(resident, **{"Idempotency-Key": f"k{i}"}), contact_phone=f"08129999100{i}")
        ids.append(res.json["id"])
    replay = place(client, auth_headers(resident, **{"Idempotency-Key": f"k{limit - 1}"}),
                   contact_phone=f"08129999100{limit - 1}")
    assert replay.status_code == 201 and replay.json["id"] == ids[-1]
    assert place(client, auth_headers(resident, **{"Idempotency-Key": "new"})).status_code == 429
    assert call_count(app) == limit


def test_another_residents_call_is_404_and_other_staff_403(client, make_resident, make_user, auth_headers):
    owner, stranger = make_resident(), make_resident()
    call_id = place(client, auth_headers(owner)).json["id"]
    res = client.get(f"/api/v1/brigade/calls/{call_id}", headers=auth_headers(stranger))
    assert res.status_code == 404
    assert act(client, auth_headers(stranger), call_id, "cancel").status_code == 404
    assert client.get("/api/v1/brigade/calls", headers=auth_headers(stranger)).json["total"] == 0
    clerk = auth_headers(make_user("clerk"))
    assert client.get(f"/api/v1/brigade/calls/{call_id}", headers=clerk).status_code == 403
    assert client.get("/api/v1/brigade/calls", headers=clerk).status_code == 403
    assert client.get("/api/v1/brigade/calls/999999", headers=auth_headers(owner)).status_code == 404
    assert client.get(f"/api/v1/brigade/calls/{10**20}", headers=auth_headers(owner)).status_code == 404


def test_dispatcher_queue_order_and_filters(app, client, crew, make_resident, auth_headers):
    h = crew["h"]
    ids = {}
    for name in ("green", "untriaged", "red_old", "yellow", "red_new", "done", "busy"):
        res = place(client, auth_headers(make_resident()), contact_phone=f"0813{len(ids):08d}")
        assert res.status_code == 201
        ids[name] = res.json["id"]
    for name, colour in (("green", "green"), ("red_old", "red"), ("yellow", "yellow"), ("red_new", "red"),
                         ("busy", "yellow"), ("done", "green")):
        assert act(client, h["dispatcher"], ids[name], "triage", priority=colour).status_code == 200
    assert act(client, h["dispatcher"], ids["busy"], "assign", team_id=crew["team_a"]).status_code == 200
    assert act(client, h["dispatcher"], ids["done"], "resolve_by_phone", note="Diberi saran minum").status_code == 200

    queue = client.get("/api/v1/brigade/calls", headers=h["dispatcher"]).json
    order = [item["id"] for item in queue["items"]]
    assert order == [ids[n] for n in ("red_old", "red_new", "untriaged", "yellow", "green", "busy")]
    assert queue["total"] == 6

    history = client.get("/api/v1/brigade/calls?status=all", headers=h["dispatcher"]).json
    assert history["total"] == 7 and history["items"][0]["id"] == ids["busy"]  # newest first
    only = client.get("/api/v1/brigade/calls?status=resolved_by_phone", headers=h["dispatcher"]).json
    assert [i["id"] for i in only["items"]] == [ids["done"]]
    several = client.get("/api/v1/brigade/calls?status=received,dispatched", headers=h["dispatcher"]).json
    assert {i["id"] for i in several["items"]} == {ids["untriaged"], ids["busy"]}
    assert client.get("/api/v1/brigade/calls?status=bogus", headers=h["dispatcher"]).status_code == 422
    paged = client.get("/api/v1/brigade/calls?per_page=2&page=2", headers=h["dispatcher"]).json
    assert [i["id"] for i in paged["items"]] == order[2:4]

    medic = client.get("/api/v1/brigade/calls", headers=h["medic_a"]).json
    assert [i["id"] for i in medic["items"]] == [ids["busy"]]
    assert client.get("/api/v1/brigade/calls", headers=h["medic_b"]).json["total"] == 0


def test_every_action_lands_in_the_timeline(app, client, crew):
    h = crew["h"]
    call_id = place(client, h["resident"]).json["id"]
    act(client, h["dispatcher"], call_id, "triage", priority="yellow")
    act(client, h["dispatcher"], call_id, "triage", priority="red", note="Sesak berat")
    with app.app_context():
        events = db.session.scalars(select(BrigadeCallEvent).where(BrigadeCallEvent.call_id == call_id)).all()
        assert [(e.action, e.status, (e.data or {}).get("priority")) for e in events] == [
            ("call", "received", None), ("triage", "triaged", "yellow"), ("triage", "triaged", "red")]
        assert events[2].note == "Sesak berat" and events[2].actor_role == "dispatcher"


def test_without_a_city_centre_the_distance_is_not_checked(app, client, make_resident, auth_headers, monkeypatch):
    from citizen_app.brigade import services

    monkeypatch.setattr(services, "distance_from_centre_km", lambda _lat, _lon: None)
    res = place(client, auth_headers(make_resident()), latitude=0.79, longitude=127.38)  # Ternate, far from Kupang
    assert res.status_code == 201


def test_a_phone_without_a_position_still_calls_with_the_address(app, client, crew, make_resident, auth_headers):
    headers = auth_headers(make_resident())
    body = {k: v for k, v in CALL.items() if k not in ("latitude", "longitude")}
    res = client.post("/api/v1/brigade/calls", json=body, headers=headers)
    assert res.status_code == 201, res.json
    assert res.json["latitude"] is None and res.json["address"] == CALL["address"]
    call_id = res.json["id"]
    suggested = client.get(f"/api/v1/brigade/calls/{call_id}/suggested-teams", headers=crew["h"]["dispatcher"])
    assert suggested.status_code == 200 and suggested.json
    assert all(team["distance_km"] is None for team in suggested.json)  # nobody can tell which is nearest
    assert act(client, crew["h"]["dispatcher"], call_id, "triage", priority="yellow").status_code == 200
    assigned = act(client, crew["h"]["dispatcher"], call_id, "assign", team_id=crew["team_a"])
    assert assigned.status_code == 200 and assigned.json["eta_minutes"] is None
    nulls = client.post("/api/v1/brigade/calls", json={**body, "latitude": None, "longitude": None},
                        headers=auth_headers(make_resident(phone="081299990001")))
    assert nulls.status_code == 201, nulls.json


@pytest.mark.parametrize("given", ["latitude", "longitude"])
def test_half_a_position_is_422(app, client, make_resident, auth_headers, given):
    body = {k: v for k, v in CALL.items() if k not in ("latitude", "longitude")}
    body[given] = CALL[given]
    res = client.post("/api/v1/brigade/calls", json=body, headers=auth_headers(make_resident()))
    assert res.status_code == 422 and ({"latitude", "longitude"} - {given}) <= set(res.json["errors"])
    assert call_count(app) == 0
