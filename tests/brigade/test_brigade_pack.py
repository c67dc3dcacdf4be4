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
