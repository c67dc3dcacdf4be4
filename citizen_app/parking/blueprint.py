"""The parking blueprint. Every parking route module adds its views to `blp`, and routes.py imports them all:
registering `routes.blp` registers every parking route. Route modules import this module, never routes.py."""

from citizen_app.api import Blueprint

blp = Blueprint("parking", __name__, description="E-parking: zones, sessions, payments, wallet, attendants")
