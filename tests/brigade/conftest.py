import pytest
from brigade_helpers import make_team


@pytest.fixture
def crew(app, make_user, make_resident, auth_headers):
    """A resident, a dispatcher, two teams each with a medic, and their headers."""
    team_a = make_team(app, "Tim A", -10.1700, 123.6000)
    team_b = make_team(app, "Tim B", -10.2000, 123.6500)
    people = {
        "resident": make_resident(),
        "dispatcher": make_user("dispatcher"),
        "medic_a": make_user("medic", team_id=team_a),
        "medic_b": make_user("medic", team_id=team_b),
    }
    headers = {name: auth_headers(user) for name, user in people.items()}
    return {"team_a": team_a, "team_b": team_b, "users": people, "h": headers}
