"""Brigade data that comes with a city: the centre its calls are checked against (`center` in city.json, or
brigade.json in the pack), and demo teams for `make run`."""

from sqlalchemy import select

from citizen_app.brigade.geo import haversine_km
from citizen_app.brigade.models import BrigadeTeam
from citizen_app.cities.pack import CityPack
from citizen_app.cities.services import current_city_code, current_city_profile
from citizen_app.extensions import db

_centres: dict[str, tuple[float, float] | None] = {}


def _valid(point) -> tuple[float, float] | None:
    if isinstance(point, list | tuple) and len(point) == 2 and all(isinstance(v, int | float) for v in point):
        lat, lon = float(point[0]), float(point[1])
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    return None


def city_centre() -> tuple[float, float] | None:
    """None when the pack gives no centre: then calls are not checked for distance."""
    code = current_city_code()
    if code not in _centres:
        profile = current_city_profile()
        point = profile.get("center") or (profile.get("brigade") or {}).get("center")
        if point is None:
            # No national default here: Kupang's centre is meaningless for another city.
            point = (CityPack.named(code).read_json("brigade.json", fallback_to_default=False) or {}).get("center")
        _centres[code] = _valid(point)
    return _centres[code]


def distance_from_centre_km(latitude: float, longitude: float) -> float | None:
    centre = city_centre()
    return None if centre is None else haversine_km(centre[0], centre[1], latitude, longitude)


# Offsets (degrees) of the demo teams' bases around the centre: a few kilometres apart.
DEMO_OFFSETS = ((0.0, 0.0), (0.025, -0.03), (-0.02, 0.035))


def demo(accounts: dict) -> list[str]:
    centre = city_centre() or (None, None)
    teams = []
    for i, (dlat, dlon) in enumerate(DEMO_OFFSETS, start=1):
        name = f"Tim Brigade {i}"
        team = db.session.scalar(select(BrigadeTeam).where(BrigadeTeam.name == name))
        if team is None:
            team = BrigadeTeam(name=name, status="available")
            if centre[0] is not None:
                team.latitude, team.longitude = round(centre[0] + dlat, 5), round(centre[1] + dlon, 5)
            db.session.add(team)
        teams.append(team)
    db.session.flush()
    medic = accounts.get("medic")
    if medic is not None:
        medic.team_id = teams[0].id
    return [f"brigade teams: {', '.join(t.name for t in teams)} (medic is on {teams[0].name})"]
