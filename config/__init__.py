"""Settings classes. Pick one with APP_ENV=development|testing|production (default development)."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))

DEFAULT_SECRET = "dev-secret-change-me-0123456789abcdef"  # noqa: S105 - refused in production


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting panels hand out postgres:// URLs; SQLAlchemy wants an explicit driver for psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", SECRET_KEY)
    # Key for NIK encryption and lookup hashes; derived from SECRET_KEY unless given.
    NIK_KEY = os.environ.get("NIK_KEY", "")
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=int(os.environ.get("ACCESS_TOKEN_MINUTES", "15")))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=int(os.environ.get("REFRESH_TOKEN_DAYS", "30")))
    JWT_TOKEN_LOCATION = ["headers"]

    CITY = os.environ.get("CITY", "kupang")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")  # e.g. https://layanan.kupangkota.go.id
    INSTANCE_PATH = str(INSTANCE)
    KEYS_DIR = os.environ.get("KEYS_DIR", str(INSTANCE / "keys"))
    UPLOADS_DIR = os.environ.get("UPLOADS_DIR", str(INSTANCE / "uploads"))

    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE / 'citizen.db'}")
    # create_app adds pool_pre_ping for a database server (see _engine_options there).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(6 * 1024 * 1024)))
    MAX_JSON_BYTES = int(os.environ.get("MAX_JSON_BYTES", str(256 * 1024)))
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024)))

    # Rate limits: keyed on what is attacked (the account, NIK or phone) more than on the IP (CGNAT).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "10 per 5 minutes")
    RATELIMIT_LOGIN_IP = os.environ.get("RATELIMIT_LOGIN_IP", "300 per minute")
    RATELIMIT_REGISTER_ACCOUNT = os.environ.get("RATELIMIT_REGISTER_ACCOUNT", "5 per hour")
    RATELIMIT_REGISTER_IP = os.environ.get("RATELIMIT_REGISTER_IP", "120 per minute")
    RATELIMIT_BRIGADE_CALL = os.environ.get("RATELIMIT_BRIGADE_CALL", "3 per 10 minutes")

    # Parking payments: the local simulator outside production unless set; production defaults to midtrans and
    # answers 503 for payments until PAYMENT_SERVER_KEY is set (a city without e-parking still runs).
    PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "")
    PAYMENT_SERVER_KEY = os.environ.get("PAYMENT_SERVER_KEY", "")
    PAYMENT_API_URL = os.environ.get("PAYMENT_API_URL", "https://api.sandbox.midtrans.com")
    PAYMENT_TIMEOUT_SECONDS = float(os.environ.get("PAYMENT_TIMEOUT_SECONDS", "10"))
    PAYMENT_QRIS_GUI = os.environ.get("PAYMENT_QRIS_GUI", "ID.CO.DEMO.WWW")
    PAYMENT_QRIS_MERCHANT_ID = os.environ.get("PAYMENT_QRIS_MERCHANT_ID", "DEMO000000000001")
    PAYMENT_QRIS_MERCHANT_PAN = os.environ.get("PAYMENT_QRIS_MERCHANT_PAN", "")
    PAYMENT_QRIS_NMID = os.environ.get("PAYMENT_QRIS_NMID", "")
    WALLET_TOPUP_MIN = int(os.environ.get("WALLET_TOPUP_MIN", "10000"))
    WALLET_TOPUP_MAX = int(os.environ.get("WALLET_TOPUP_MAX", "1000000"))

    # Brigade Sehat: how far from the city centre a call may be placed, and the ETA model.
    BRIGADE_MAX_DISTANCE_KM = float(os.environ.get("BRIGADE_MAX_DISTANCE_KM", "60"))
    BRIGADE_ROAD_FACTOR = float(os.environ.get("BRIGADE_ROAD_FACTOR", "1.4"))
    BRIGADE_SPEED_KMH = float(os.environ.get("BRIGADE_SPEED_KMH", "30"))

    # Open data: after new data, the last figures are served for up to this long while fresh ones are computed.
    STATS_STALE_SECONDS = float(os.environ.get("STATS_STALE_SECONDS", "300"))

    # Permit catalogue: how often a worker checks whether another worker changed it (search answers are cached).
    PERMIT_CATALOG_RECHECK_SECONDS = float(os.environ.get("PERMIT_CATALOG_RECHECK_SECONDS", "2"))
    # City-pack rows the busiest writes read (letter types, kelurahan, zones): how long a worker keeps one.
    CITY_PACK_RECHECK_SECONDS = float(os.environ.get("CITY_PACK_RECHECK_SECONDS", "10"))

    CORS_ORIGINS = [o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o]
    HSTS = False
    # Run the notification worker inside the web process (embedded default).
    INPROCESS_WORKER = os.environ.get("INPROCESS_WORKER", "0") == "1"

    API_TITLE = "Citizen App API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-0123456789abcdef0123456789"
    JWT_SECRET_KEY = "testing-jwt-secret-0123456789abcdef012345"
    RATELIMIT_STORAGE_URI = "memory://"
    STATS_STALE_SECONDS = 0  # tests see every change on the next request, unless a test says otherwise
    PERMIT_CATALOG_RECHECK_SECONDS = 0
    CITY_PACK_RECHECK_SECONDS = 0
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the suite quick; production uses scrypt
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")


class ProductionConfig(Config):
    ENV_NAME = "production"
    HSTS = True

    @classmethod
    def check(cls) -> None:
        problems = []
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            value = os.environ.get(name, "")
            if not value or value == DEFAULT_SECRET or len(value) < 32:
                problems.append(f"{name} must be set to a random value of at least 32 characters")
        if not os.environ.get("DATABASE_URL"):
            problems.append("DATABASE_URL must be set")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("APP_ENV", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown APP_ENV {name!r}; use one of {', '.join(CONFIGS)}") from None
    if cls is ProductionConfig:
        cls.check()
    return cls
