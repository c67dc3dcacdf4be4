"""Every parking route, on one blueprint: importing this module registers them all on `blp`."""

from citizen_app.parking import cli, routes_money, routes_sessions, routes_staff  # noqa: F401 - their views join blp
from citizen_app.parking.blueprint import blp

__all__ = ["blp"]
