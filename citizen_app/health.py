import logging

from sqlalchemy import text

from citizen_app.api import Blueprint
from citizen_app.errors import error_response
from citizen_app.extensions import db
from citizen_app.regions.schemas import HealthSchema

log = logging.getLogger(__name__)
blp = Blueprint("meta", __name__, description="Health")


@blp.get("/healthz")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database is unreachable")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy", never a 500
        log.warning("health check: database unreachable", exc_info=True)
        db.session.rollback()
        response = error_response(503, "service_unavailable", "The service is temporarily unavailable.")
        response.set_data(b'{"status": "error", "database": "unreachable"}')
        return response
    return {"status": "ok", "database": "ok"}
