from brigade_helpers import act, dispatched_call, make_team, place
from sqlalchemy import select

from citizen_app.brigade.models import BrigadeTeam
from citizen_app.extensions import db
from citizen_app.notifications.models import Notification, OutboxMessage


def team_status(app, team_id):
    with app.app_context():
        return db.session.get(BrigadeTeam, team_id).status


def test_full_journey_timestamps_timeline_team_and_notifications(app, client, crew):
    h, team = crew["h"], crew["team_a"]
    call_id = place(client, h["resident"]).json["id"]
    steps = [
        (h["dispatcher"], "triage", {"priority": "red"}, "triaged", "available"),
        (h["dispatcher"], "assign", {"team_id": team}, "dispatched", "dispatched"),
        (h["medic_a"], "en_route", {}, "en_route", "en_route"),
        (h["medic_a"], "on_scene", {}, "on_scene", "on_scene"),
        (h["medic_a"], "transport", {"destination": "RSUD S.K. Lerik"}, "transporting", "transporting"),
        (h["medic_a"], "complete", {"outcome": "referred_hospital", "note": "Stabil"}, "completed", "available"),
    ]
    for headers, action, fields, status, team_state in steps:
        res = act(client, headers, call_id, action, **fields)
        assert res.status_code == 200, (action, res.json)
        assert res.json["status"] == status
        assert team_status(app, team) == team_state, action

    detail = client.get(f"/api/v1/brigade/calls/{call_id}", headers=h["resident"]).json
    assert detail["destination"] == "RSUD S.K. Lerik" and detail["outcome"] == "referred_hospital"
    stamps = [detail[k] for k in ("created_at", "answered_at", "dispatched_at", "en_route_at", "on_scene_at",
                                  "transporting_at", "completed_at")]
    assert all(stamps) and stamps == sorted(stamps)
    timeline = detail["timeline"]
    assert [e["action"] for e in timeline] == ["call", "triage", "assign", "en_route", "on_scene", "transport",
                                               "complete"]
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    medic = crew["users"]["medic_a"]
    assert timeline[3]["by"] == {"role": "medic", "name": medic.full_name}
    assert timeline[2]["by"]["role"] == "dispatcher" and timeline[2]["by"]["name"]
    assert timeline[-1]["note"] == "Stabil" and timeline[-1]["data"] == {"outcome": "referred_hospital"}
    assert detail["team"]["id"] == team and detail["eta_minutes"] is None  # arrived: no ETA any more

    resident_id = crew["users"]["resident"].id
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.user_id == resident_id)
                                   .order_by(Notification.id)).all()
        assert [n.event for n in notes] == ["brigade.dispatched", "brigade.en_route", "brigade.on_scene",
                                            "brigade.completed"]
        assert all(n.urgency == "high" and n.url == f"/#/brigade/{call_id}" and n.topic == "brigade" for n in notes)
        assert "Tim A" in notes[0].body
        outbox = db.session.scalars(select(OutboxMessage.notification_id)).all()
        assert sorted(outbox) == [n.id for n in notes]


def test_eta_follows_the_team_position(app, client, crew):
    h = crew["h"]
    call_id = dispatched_call(client, crew)
    first = client.get(f"/api/v1/brigade/calls/{call_id}", headers=h["resident"]).json
    assert first["distance_km"] > 0 and first["eta_minutes"] >= 1
    moved = client.patch(f"/api/v1/brigade/teams/{crew['team_a']}", headers=h["medic_a"],
                         json={"latitude": -10.1655, "longitude": 123.5905})
    assert moved.status_code == 200, moved.json
    closer = client.get(f"/api/v1/brigade/calls/{call_id}", headers=h["resident"]).json
    assert closer["distance_km"] < first["distance_km"] and closer["eta_minutes"] <= first["eta_minutes"]
    assert closer["distance_km"] < 0.2 and closer["eta_minutes"] == 1


def test_illegal_transitions_are_409_and_change_nothing(app, client, crew):
    h = crew["h"]
    call_id = place(client, h["resident"]).json["id"]
    assert act(client, h["dispatcher"], call_id, "assign", team_id=crew["team_a"]).status_code == 409  # untriaged
    assert act(client, h["dispatcher"], call_id, "en_route").status_code == 409
    assert act(client, h["dispatcher"], call_id, "complete", outcome="treated_at_home").status_code == 409
    assert act(client, h["dispatcher"], call_id, "transport", destination="RSUD").status_code == 409
    act(client, h["dispatcher"], call_id, "triage", priority="green")
    act(client, h["dispatcher"], call_id, "resolve_by_phone", note="Cukup kompres")
    for action, fields in (("triage", {"priority": "red"}), ("assign", {"team_id": crew["team_a"]}),
                           ("cancel", {"note": "x"}), ("resolve_by_phone", {"note": "x"})):
        res = act(client, h["dispatcher"], call_id, action, **fields)
        assert res.status_code == 409, action
        assert res.json["code"] == "conflict"
    detail = client.get(f"/api/v1/brigade/calls/{call_id}", headers=h["dispatcher"]).json
    assert detail["status"] == "resolved_by_phone" and len(detail["timeline"]) == 3
    assert team_status(app, crew["team_a"]) == "available"


def test_required_fields_per_action_are_422(client, crew):
    h = crew["h"]
    call_id = place(client, h["resident"]).json["id"]
    assert "priority" in act(client, h["dispatcher"], call_id, "triage").json["errors"]
    act(client, h["dispatcher"], call_id, "triage", priority="red")
    assert "team_id" in act(client, h["dispatcher"], call_id, "assign").json["errors"]
    assert "team_id" in act(client, h["dispatcher"], call_id, "assign", team_id=9999).json["errors"]
    assert "note" in act(client, h["dispatcher"], call_id, "cancel").json["errors"]
    assert "note" in act(client, h["dispatcher"], call_id, "resolve_by_phone", note="  ").json["errors"]
    assert act(client, h["dispatcher"], call_id, "teleport").status_code == 422
    assert act(client, h["dispatcher"], call_id, "triage", priority="blue").status_code == 422
    act(client, h["dispatcher"], call_id, "assign", team_id=crew["team_a"])
    act(client, h["medic_a"], call_id, "on_scene")
    assert "destination" in act(client, h["medic_a"], call_id, "transport").json["errors"]
    assert "outcome" in act(client, h["medic_a"], call_id, "complete").json["errors"]
    assert act(client, h["medic_a"], call_id, "complete", outcome="healed").status_code == 422


def test_only_the_assigned_teams_medic_moves_the_call(app, client, crew, make_user, auth_headers):
    h = crew["h"]
    call_id = dispatched_call(client, crew, "team_a")
    assert act(client, h["medic_b"], call_id, "en_route").status_code == 403
    no_team = auth_headers(make_user("medic"))
    assert act(client, no_team, call_id, "en_route").status_code == 403
    assert client.get(f"/api/v1/brigade/calls/{call_id}", headers=h["medic_b"]).status_code == 403
    assert act(client, h["resident"], call_id, "en_route").status_code == 403
    assert act(client, h["medic_a"], call_id, "triage", priority="green").status_code == 403  # dispatcher's job
    assert act(client, h["medic_a"], call_id, "cancel", note="x").status_code == 403
    assert act(client, auth_headers(make_user("clerk")), call_id, "en_route").status_code == 403
    res = act(client, h["medic_a"], call_id, "en_route")
    assert res.status_code == 200 and res.json["status"] == "en_route"
    # The dispatcher may move it too (a medic with no signal phones in).
    assert act(client, h["dispatcher"], call_id, "on_scene").json["status"] == "on_scene"


def test_a_team_cannot_hold_two_active_calls(app, client, crew, make_resident, auth_headers):
    h = crew["h"]
    dispatched_call(client, crew, "team_a")
    second = place(client, auth_headers(make_resident()), contact_phone="081388887777").json["id"]
    act(client, h["dispatcher"], second, "triage", priority="yellow")
    res = act(client, h["dispatcher"], second, "assign", team_id=crew["team_a"])
    assert res.status_code == 409
    off = make_team(app, "Tim Libur", status="off_duty")
    assert act(client, h["dispatcher"], second, "assign", team_id=off).status_code == 409
    assert act(client, h["dispatcher"], second, "assign", team_id=crew["team_b"]).status_code == 200


def test_completing_or_cancelling_frees_the_team(app, client, crew, make_resident, auth_headers):
    h = crew["h"]
    first = dispatched_call(client, crew, "team_a")
    assert act(client, h["dispatcher"], first, "cancel", note="Pasien dibawa keluarga").status_code == 200
    assert team_status(app, crew["team_a"]) == "available"
    with app.app_context():
        events = [n.event for n in db.session.scalars(select(Notification).order_by(Notification.id))]
    assert events == ["brigade.dispatched", "brigade.cancelled"]
    second = dispatched_call(client, crew, "team_a", contact_phone="081377776666")
    assert act(client, h["medic_a"], second, "on_scene").status_code == 200  # straight from dispatched
    assert act(client, h["medic_a"], second, "complete", outcome="treated_at_home").status_code == 200
    assert team_status(app, crew["team_a"]) == "available"


def test_resident_cancels_own_call_only_before_dispatch(client, crew, make_resident, auth_headers):
    h = crew["h"]
    call_id = place(client, h["resident"]).json["id"]
    res = act(client, h["resident"], call_id, "cancel")
    assert res.status_code == 200 and res.json["status"] == "cancelled" and res.json["cancelled_at"]
    assert act(client, h["resident"], call_id, "triage", priority="red").status_code == 403
    dispatched = dispatched_call(client, crew, contact_phone="081366665555")
    res = act(client, h["resident"], dispatched, "cancel", note="Sudah baikan")
    assert res.status_code == 409


def test_merge_and_keep_a_possible_duplicate(app, client, crew, make_resident, auth_headers):
    h = crew["h"]
    first = place(client, h["resident"]).json["id"]
    dup = place(client, auth_headers(make_resident())).json
    assert dup["possible_duplicate_of"] == first
    assert act(client, h["dispatcher"], dup["id"], "merge", duplicate_of=dup["id"]).status_code == 422
    res = act(client, h["dispatcher"], dup["id"], "merge")
    assert res.status_code == 200, res.json
    assert res.json["status"] == "cancelled" and res.json["merged_into"] == first
    assert act(client, h["dispatcher"], first, "merge").status_code == 422  # not flagged, no target given

    third = place(client, auth_headers(make_resident())).json
    assert third["possible_duplicate_of"] == first  # merged calls are never the reference
    res = act(client, h["dispatcher"], third["id"], "keep", note="Pasien berbeda, rumah sebelah")
    assert res.status_code == 200 and res.json["possible_duplicate_of"] is None and res.json["status"] == "received"
    assert act(client, h["dispatcher"], third["id"], "keep").status_code == 409
    timeline = client.get(f"/api/v1/brigade/calls/{third['id']}", headers=h["dispatcher"]).json["timeline"]
    assert timeline[-1]["action"] == "keep" and timeline[-1]["data"] == {"possible_duplicate_of": first}

    act(client, h["dispatcher"], first, "cancel", note="Salah sambung")
    fourth = place(client, auth_headers(make_resident())).json
    assert act(client, h["dispatcher"], fourth["id"], "merge", duplicate_of=first).status_code == 409


def test_suggested_teams_nearest_available_first(app, client, crew):
    h = crew["h"]
    make_team(app, "Tim Dekat", -10.1651, 123.5901)
    make_team(app, "Tim Libur", -10.1650, 123.5900, status="off_duty")
    make_team(app, "Tim Tanpa Posisi", None, None)
    call_id = place(client, h["resident"]).json["id"]
    res = client.get(f"/api/v1/brigade/calls/{call_id}/suggested-teams", headers=h["dispatcher"])
    assert res.status_code == 200
    names = [t["name"] for t in res.json]
    assert names == ["Tim Dekat", "Tim A", "Tim B", "Tim Tanpa Posisi"]
    distances = [t["distance_km"] for t in res.json[:3]]
    assert distances == sorted(distances) and distances[0] < 0.05
    assert res.json[1]["eta_minutes"] >= 1 and res.json[-1]["distance_km"] is None
    limited = client.get(f"/api/v1/brigade/calls/{call_id}/suggested-teams?limit=2", headers=h["dispatcher"])
    assert len(limited.json) == 2
    assert client.get(f"/api/v1/brigade/calls/{call_id}/suggested-teams", headers=h["medic_a"]).status_code == 403
    assert client.get(f"/api/v1/brigade/calls/{call_id}/suggested-teams", headers=h["resident"]).status_code == 403
    assert client.get("/api/v1/brigade/calls/9999/suggested-teams", headers=h["dispatcher"]).status_code == 404


def test_teams_list_create_and_update_rules(app, client, crew, make_user, auth_headers):
    h = crew["h"]
    res = client.post("/api/v1/brigade/teams", headers=h["dispatcher"],
                      json={"name": "Tim Oebobo", "latitude": -10.16, "longitude": 123.61})
    assert res.status_code == 201 and res.json["status"] == "available" and res.json["position_at"]
    team_id = res.json["id"]
    assert client.post("/api/v1/brigade/teams", headers=h["dispatcher"], json={"name": "Tim Oebobo"}).status_code == 409
    assert client.post("/api/v1/brigade/teams", headers=h["dispatcher"],
                       json={"name": "Tim X", "latitude": -10.1}).status_code == 422
    assert client.post("/api/v1/brigade/teams", headers=h["medic_a"], json={"name": "Tim Y"}).status_code == 403
    assert client.post("/api/v1/brigade/teams", headers=h["resident"], json={"name": "Tim Y"}).status_code == 403

    listed = client.get("/api/v1/brigade/teams", headers=h["medic_a"])
    assert listed.status_code == 200 and listed.json["total"] == 3
    assert client.get("/api/v1/brigade/teams?status=off_duty", headers=h["dispatcher"]).json["total"] == 0
    assert client.get("/api/v1/brigade/teams", headers=h["resident"]).status_code == 403

    url = f"/api/v1/brigade/teams/{team_id}"
    assert client.patch(url, headers=h["medic_a"], json={"status": "off_duty"}).status_code == 403  # other team
    assert client.patch(url, headers=h["dispatcher"], json={"status": "off_duty"}).json["status"] == "off_duty"
    assert client.patch(url, headers=h["dispatcher"], json={"status": "en_route"}).status_code == 422
    assert client.patch(url, headers=h["dispatcher"], json={"latitude": 91, "longitude": 1}).status_code == 422
    assert client.patch(url, headers=h["dispatcher"], json={"longitude": 123.0}).status_code == 422
    assert client.patch("/api/v1/brigade/teams/9999", headers=h["dispatcher"], json={}).status_code == 404

    busy = dispatched_call(client, crew, "team_a")
    own = f"/api/v1/brigade/teams/{crew['team_a']}"
    res = client.patch(own, headers=h["medic_a"], json={"status": "off_duty"})
    assert res.status_code == 409 and str(busy) in res.json["message"]
    moved = client.patch(own, headers=h["medic_a"], json={"latitude": -10.168, "longitude": 123.595})
    assert moved.status_code == 200 and moved.json["current_call_id"] == busy and moved.json["latitude"] == -10.168
    listed = client.get("/api/v1/brigade/teams", headers=h["dispatcher"]).json["items"]
    assert {t["name"]: t["current_call_id"] for t in listed}["Tim A"] == busy


def test_city_admin_reads_but_does_not_dispatch(client, crew, make_user, auth_headers):
    admin = auth_headers(make_user("city_admin"))
    call_id = place(client, crew["h"]["resident"]).json["id"]
    assert client.get("/api/v1/brigade/calls", headers=admin).json["total"] == 1
    assert client.get(f"/api/v1/brigade/calls/{call_id}", headers=admin).status_code == 200
    assert act(client, admin, call_id, "triage", priority="red").status_code == 403
