"""Shared by the brigade tests: a valid call, and shortcuts for placing calls, acting on them and making teams."""

from citizen_app.brigade.models import BrigadeTeam
from citizen_app.extensions import db

# Around Kupang's centre (-10.1772, 123.6070).
CALL = {
    "category": "sesak_napas",
    "complaint": "Sesak napas sejak pagi, bibir kebiruan",
    "patient_name": "Yakobus Bana",
    "patient_age": 67,
    "contact_phone": "0812 3456 7890",
    "latitude": -10.1650,
    "longitude": 123.5900,
    "address": "Jl. Timor Raya No. 5, Oesapa",
}


def place(client, headers, **overrides):
    return client.post("/api/v1/brigade/calls", json={**CALL, **overrides}, headers=headers)


def act(client, headers, call_id, action, **fields):
    return client.post(f"/api/v1/brigade/calls/{call_id}/actions", json={"action": action, **fields},
                       headers=headers)


def make_team(app, name="Tim A", latitude=-10.17, longitude=123.60, status="available"):
    with app.app_context():
        team = BrigadeTeam(name=name, latitude=latitude, longitude=longitude, status=status)
        db.session.add(team)
        db.session.commit()
        return team.id


def dispatched_call(client, crew, team="team_a", **overrides):
    res = place(client, crew["h"]["resident"], **overrides)
    assert res.status_code == 201, res.json
    call_id = res.json["id"]
    assert act(client, crew["h"]["dispatcher"], call_id, "triage", priority="red").status_code == 200
    res = act(client, crew["h"]["dispatcher"], call_id, "assign", team_id=crew[team])
    assert res.status_code == 200, res.json
    return call_id
