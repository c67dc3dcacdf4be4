from sqlalchemy import func, select

from citizen_app.brigade.models import BrigadeTeam
from citizen_app.brigade.pack import demo
from citizen_app.extensions import db
from citizen_app.identity.models import User


def test_demo_creates_three_teams_near_the_city_and_puts_the_medic_on_the_first(app, make_user):
    medic = make_user("medic")
    with app.app_context():
        accounts = {"medic": db.session.get(User, medic.id)}
        lines = demo(accounts)
        db.session.commit()
        teams = db.session.scalars(select(BrigadeTeam).order_by(BrigadeTeam.id)).all()
        assert [t.name for t in teams] == ["Tim Brigade 1", "Tim Brigade 2", "Tim Brigade 3"]
        assert all(t.status == "available" and abs(t.latitude + 10.18) < 0.1 and abs(t.longitude - 123.61) < 0.1
                   for t in teams)
        assert db.session.get(User, medic.id).team_id == teams[0].id
        assert "Tim Brigade 1" in lines[0]
        demo(accounts)  # a second run adds nothing
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(BrigadeTeam)) == 3


def test_demo_medic_can_act_for_the_demo_team(app, client, make_user, auth_headers):
    medic = make_user("medic")
    with app.app_context():
        demo({"medic": db.session.get(User, medic.id)})
        db.session.commit()
        team_id = db.session.scalar(select(BrigadeTeam.id).where(BrigadeTeam.name == "Tim Brigade 1"))
    res = client.patch(f"/api/v1/brigade/teams/{team_id}", json={"status": "off_duty"}, headers=auth_headers(medic))
    assert res.status_code == 200 and res.json["status"] == "off_duty"


def test_ternate_works_without_code_change(tmp_path):
    """A second city: its own centre from its pack, the same code."""
    from citizen_app import create_app
    from citizen_app.brigade import pack
    from citizen_app.cities.services import load_city
    from citizen_app.identity.services import issue_tokens

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ternate.db'}", CITY="ternate",
                     INSTANCE_PATH=str(tmp_path), KEYS_DIR=str(tmp_path / "keys"), UPLOADS_DIR=str(tmp_path / "up"))
    with app.app_context():
        db.create_all()
        load_city("ternate")
        resident = User(role="resident", password_hash="x", full_name="Warga Ternate", phone="+6281355500011")
        db.session.add(resident)
        db.session.commit()
        headers = {"Authorization": f"Bearer {issue_tokens(resident)['access_token']}"}
        assert pack.city_centre() == (0.7893, 127.377)
    client = app.test_client()
    body = {"category": "demam_tinggi", "complaint": "Demam tiga hari", "patient_name": "Ani", "patient_age": 7,
            "contact_phone": "081355500011", "address": "Kel. Gamalama", "latitude": 0.7800, "longitude": 127.3800}
    assert client.post("/api/v1/brigade/calls", json=body, headers=headers).status_code == 201
    kupang = {**body, "latitude": -10.1650, "longitude": 123.5900}
    assert client.post("/api/v1/brigade/calls", json=kupang, headers=headers).status_code == 422
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
