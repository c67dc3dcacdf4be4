"""Distances and arrival estimates. Straight-line distance times a road factor at an average urban speed is
crude, but it needs no routing service and is right to a few minutes inside a city."""

import math

from flask import current_app

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def eta_minutes(distance_km: float) -> int:
    road_km = distance_km * current_app.config.get("BRIGADE_ROAD_FACTOR", 1.4)
    speed = current_app.config.get("BRIGADE_SPEED_KMH", 30)
    return max(1, math.ceil(road_km / speed * 60))


def distance_and_eta(team, latitude: float | None, longitude: float | None) -> tuple[float | None, int | None]:
    if team is None or not team.has_position or latitude is None or longitude is None:
        return None, None
    distance = haversine_km(team.latitude, team.longitude, latitude, longitude)
    return round(distance, 2), eta_minutes(distance)
