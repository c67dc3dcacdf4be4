"""Extensions, created unbound; create_app() binds them."""

from datetime import datetime, timezone
from functools import lru_cache

from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config as jwt_config
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from citizen_app.api import CitizenApi

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Objects keep their loaded state after commit: a response built right after a commit needs no reload query.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()


class CitizenJWTManager(JWTManager):
    """flask-jwt-extended parses a token four times a request, and PyJWT checks every base64 character of each
    parse in Python. A token never changes, so its verified claims are kept per process (per signing key) and only
    its expiry is checked again. Revocation is not cached: the blocklist loader asks the database every time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._verified = lru_cache(maxsize=4096)(self._verify)

    def _verify(self, encoded_token: str, _decode_key) -> dict:
        return super()._decode_jwt_from_config(encoded_token)

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        if csrf_value is not None or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        claims = self._verified(encoded_token, jwt_config.decode_key)
        exp = claims.get("exp")
        if exp is not None and exp <= datetime.now(tz=timezone.utc).timestamp() - jwt_config.leeway:
            # Expired since it was cached: PyJWT raises, with what the expired-token loader is given.
            return super()._decode_jwt_from_config(encoded_token)
        return dict(claims)


jwt = CitizenJWTManager()
api = CitizenApi()
limiter = Limiter(key_func=get_remote_address)


def configure_sqlite(engine) -> None:
    """WAL lets readers run beside the writer; busy_timeout makes writers queue instead of failing."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
