"""The active catalogue as each worker holds it in memory: the search index and the offline download.

Every permit change writes a new random token in permit_catalog_state in the same transaction; a request reads
that one row (at most every PERMIT_CATALOG_RECHECK_SECONDS, default 2) and rebuilds its worker's copy when the token
moved, so gunicorn workers (and other machines) see a change within that interval without a message bus. The worker
that made the change sees it at once.

Each copy also keeps the search answers it has already given, as JSON: a catalogue changes a few times a year and
residents ask the same few hundred questions, so most searches are answered without touching the database."""

import gzip
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from cachetools import LRUCache
from flask import current_app
from sqlalchemy import select

from citizen_app.cities.services import current_city_code
from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.permits import search
from citizen_app.permits.models import Permit, PermitCatalogState
from citizen_app.permits.schemas import CatalogItemSchema

RESULT_FIELDS = ("slug", "name", "sector", "output", "channel", "sla_working_days", "fee", "updated_at")

_build_lock = threading.Lock()
ANSWERS_KEPT = 1024  # search answers per catalogue copy; the least recently used goes first


class Answers:
    """Search arguments -> the JSON answer, for one catalogue copy (a new copy starts empty, which is how a
    permit change reaches the answers). Thread-safe: every access holds the lock, since an LRU read reorders."""

    def __init__(self, size: int = ANSWERS_KEPT):
        self._cache: LRUCache = LRUCache(size)
        self._lock = threading.Lock()

    def get(self, key) -> bytes | None:
        with self._lock:
            return self._cache.get(key)

    def put(self, key, body: bytes) -> None:
        with self._lock:
            self._cache[key] = body

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._cache

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)


def sector_key(name: str) -> str:
    return "-".join(search.normalize(name))


@dataclass
class CatalogPayload:
    body: bytes
    gzipped: bytes
    etag: str  # strong, of the identity body; the gzip representation answers to etag + "-gz"


@dataclass
class Snapshot:
    token: str | None
    items: list[dict]
    index: search.SearchIndex = field(init=False)
    _payload: CatalogPayload | None = None
    checked_at: float = 0.0  # time.monotonic() of the last token check
    answers: Answers = field(default_factory=Answers)

    def __post_init__(self):
        self.index = search.SearchIndex(self.items)
        self.by_sector: dict[str, set[int]] = {}
        names: dict[str, str] = {}
        for position, item in enumerate(self.items):
            key = sector_key(item["sector"])
            names.setdefault(key, item["sector"])
            self.by_sector.setdefault(key, set()).add(position)
        self.sectors = [{"slug": k, "name": names[k], "count": len(v)} for k, v in sorted(self.by_sector.items())]

    def payload(self, city_code: str) -> CatalogPayload:
        if self._payload is None:
            document = {
                "city": city_code,
                "count": len(self.items),
                "updated_at": max((i["updated_at"] for i in self.items), default=None),
                "search": search.config(),
                "sectors": self.sectors,
                "items": self.items,
            }
            body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
            etag = hashlib.sha256(body).hexdigest()[:32]
            self._payload = CatalogPayload(body, gzip.compress(body, compresslevel=9, mtime=0), etag)
        return self._payload


def current_token(city_code: str) -> str | None:
    return db.session.scalar(select(PermitCatalogState.token).where(PermitCatalogState.city_code == city_code))


def snapshot() -> Snapshot:
    city_code = current_city_code()
    cache = current_app.extensions.setdefault("permit_catalog", {})
    cached = cache.get(city_code)
    recheck = current_app.config.get("PERMIT_CATALOG_RECHECK_SECONDS", 2)
    if cached is not None and time.monotonic() - cached.checked_at < recheck:
        return cached
    checked_at = time.monotonic()
    token = current_token(city_code)
    if cached is not None and token is not None and cached.token == token:
        cached.checked_at = checked_at
        return cached
    with _build_lock:
        cached = cache.get(city_code)
        if cached is not None and token is not None and cached.token == token:
            return cached
        # Read the token before the rows: a change committed in between only causes one more rebuild.
        rows = db.session.scalars(
            select(Permit).where(Permit.city_code == city_code, Permit.status == "active").order_by(Permit.slug)
        ).all()
        items = CatalogItemSchema(many=True).dump(rows)
        built = Snapshot(token, items, checked_at=checked_at)
        if token is not None:
            cache[city_code] = built
        return built


def bump(city_code: str) -> None:
    """Mark the catalogue changed; call inside the transaction that changes a permit."""
    state = db.session.get(PermitCatalogState, city_code)
    if state is None:
        state = PermitCatalogState(city_code=city_code)
        db.session.add(state)
    state.token = uuid.uuid4().hex
    # This worker checks the token again on its next request instead of waiting for the interval.
    current_app.extensions.get("permit_catalog", {}).pop(city_code, None)
    state.changed_at = utcnow()


def result_item(hit: search.Hit) -> dict:
    item = {key: hit.doc[key] for key in RESULT_FIELDS}
    item.update(matched=hit.matched, matched_field=hit.matched_field, score=hit.score)
    return item
