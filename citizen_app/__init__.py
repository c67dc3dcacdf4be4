"""The citizen super-app: a Flask API and the PWA, served from one process."""

import logging
import os

from flask import Flask
from flask.sessions import SessionInterface

from citizen_app.json_provider import OrjsonProvider, column_dumps, column_loads
from config import config_for


class NoSession(SessionInterface):
    """No cookie session: the API authenticates with bearer tokens and the PWA keeps its state on the phone.
    Flask's default would build a signing serializer on every request to read a cookie nobody sets."""

    def open_session(self, app, request):
        return None  # Flask then uses its null session, which refuses writes

    def save_session(self, app, session, response):
        return None


class CitizenFlask(Flask):
    json_provider_class = OrjsonProvider


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = CitizenFlask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None, static_folder=None)
    app.config.from_object(config_for(config_name))
    app.config.update(overrides)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config)
    app.session_interface = NoSession()
    os.makedirs(app.config["INSTANCE_PATH"], exist_ok=True)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))
    logging.getLogger("alembic").setLevel(logging.WARNING)

    _init_extensions(app)
    _register_api(app)
    _register_pwa(app)
    _register_cli(app)
    _register_pack_loaders()
    return app


def _engine_options(config) -> dict:
    """A database server's pooled connections are pinged before use, so one it dropped (restart, failover) is
    replaced instead of failing a request. Not SQLite's: a file can't go away under an open connection, and the
    ping would be one more statement on every request. JSON columns are written and read by orjson."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"))
    options.setdefault("json_serializer", column_dumps)
    options.setdefault("json_deserializer", column_loads)
    return options


def _init_extensions(app: Flask) -> None:
    from citizen_app import database
    from citizen_app.common.types import render_migration_type
    from citizen_app.errors import register_error_handlers
    from citizen_app.extensions import api, db, jwt, limiter, migrate
    from citizen_app.http import register_http_hooks

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"),
                     render_as_batch=True, compare_type=True, render_item=render_migration_type)
    jwt.init_app(app)
    import citizen_app.identity.jwt_callbacks  # noqa: F401 - registers the JWT loaders

    limiter.init_app(app)
    api.init_app(app)
    register_error_handlers(app)
    register_http_hooks(app)
    database.register(app)
    _import_models()


def _import_models() -> None:
    """Every model, so metadata (and migrations) see the whole schema."""
    import citizen_app.audit.models  # noqa: F401
    import citizen_app.cities.models  # noqa: F401
    import citizen_app.common.models  # noqa: F401
    import citizen_app.identity.models  # noqa: F401
    import citizen_app.regions.models  # noqa: F401
    from citizen_app import model_registry  # noqa: F401 - the domains' models


def _register_api(app: Flask) -> None:
    from citizen_app import health
    from citizen_app.brigade import routes as brigade
    from citizen_app.documents import routes as documents
    from citizen_app.extensions import api
    from citizen_app.identity import routes as identity
    from citizen_app.notifications import routes as notifications
    from citizen_app.parking import routes as parking
    from citizen_app.permits import routes as permits
    from citizen_app.regions import routes as regions
    from citizen_app.stats import routes as stats

    api.register_blueprint(health.blp)
    for module in (identity, regions, documents, brigade, permits, parking, notifications, stats):
        api.register_blueprint(module.blp, url_prefix="/api/v1")


def _register_pwa(app: Flask) -> None:
    from citizen_app.web import bp

    app.register_blueprint(bp)


def _register_cli(app: Flask) -> None:
    from citizen_app import jobs
    from citizen_app.cities.cli import city_cli
    from citizen_app.demo import demo_cli
    from citizen_app.identity.cli import users_cli
    from citizen_app.ops import register_ops_cli
    from citizen_app.stats.warm import stats_cli

    for group in (city_cli, users_cli, demo_cli, stats_cli):
        app.cli.add_command(group)
    register_ops_cli(app)
    jobs.register(app)


def _register_pack_loaders() -> None:
    from citizen_app import model_registry

    model_registry.register_pack_loaders()
