"""The authorisation matrix's world: fourteen principals and, built on demand through HTTP, the records they
act on (a letter by resident A served by A's home kelurahan, a brigade call by A, A's parking sessions and
payments, A's notification and push device, a broadcast, a deposit, a permit). One World per test or per
allowed principal: a fresh world has fresh records
(and fresh teams and medics), so a state change happens once."""

import base64
import functools
import io
import itertools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from citizen_app.extensions import db
from tests.conftest import HOME, KEEP_TABLES, OTHER, PASSWORD

API = "/api/v1"
ZONE, OTHER_ZONE = "KPG-SOEHARTO", "KPG-ELTARI"

ANON = "anonymous"
A = "resident_a"  # owns every record in the world
B = "resident_b"  # another resident of the same kelurahan
CLERK, CLERK_X = "clerk_home", "clerk_other"  # clerk of the serving kelurahan / of another one
LURAH, LURAH_X = "lurah_home", "lurah_other"
DISPATCHER = "dispatcher"
MEDIC, MEDIC_X = "medic_team", "medic_other_team"  # medic of the team assigned to A's call / of another team
JUKIR, JUKIR_X = "attendant_zone", "attendant_other_zone"  # parking attendant of A's zone / of another zone
PERMIT_ADMIN = "permit_admin"
ADMIN = "city_admin"

PRINCIPALS = (ANON, A, B, CLERK, CLERK_X, LURAH, LURAH_X, DISPATCHER, MEDIC, MEDIC_X, JUKIR, JUKIR_X,
              PERMIT_ADMIN, ADMIN)
AUTHENTICATED = frozenset(PRINCIPALS) - {ANON}
RESIDENTS = frozenset({A, B})

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LETTER = {"type_code": "domisili", "service_kelurahan_code": HOME, "purpose": "Melamar pekerjaan",
          "fields": {"rt": "004", "rw": "002", "lived_since": "2015-07-01"}}
CALL = {"category": "sesak_napas", "complaint": "Sesak napas sejak pagi", "patient_name": "Yakobus Bana",
        "patient_age": 67, "contact_phone": "0812 3456 7890", "latitude": -10.1650, "longitude": 123.5900,
        "address": "Jl. Timor Raya No. 5, Oesapa"}

_serial = itertools.count(1)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def push_subscription(endpoint: str) -> dict:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": endpoint, "keys": {"p256dh": b64url(point), "auth": b64url(b"0123456789abcdef")}}


def png_upload() -> dict:
    return {"data": {"file": (io.BytesIO(PNG), "ktp.png")}, "content_type": "multipart/form-data"}


def snapshot(app) -> dict:
    """Every row of every table the tests empty: two equal snapshots mean a request changed nothing."""
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as conn:
            cursor = conn.connection.cursor()
            tables = {}
            for name in _tables():
                cursor.execute(f'SELECT * FROM "{name}"')  # noqa: S608 - names from our own metadata
                tables[name] = sorted(map(repr, cursor.fetchall()))
            cursor.close()
            conn.rollback()
            return tables


@functools.cache
def _tables() -> tuple[str, ...]:
    return tuple(t.name for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES)


class World:
    def __init__(self, app, client, make_resident, people: "World | None" = None):
        """`people`: a world whose principals this one reuses (records, teams and medics are always new)."""
        self.app, self.client = app, client
        self.n = next(_serial)
        self._plates = itertools.count(1)
        self.users: dict = {}
        self.headers: dict = {ANON: {}}
        if people is not None:
            self.users.update(people.users)
            self.headers.update(people.headers)
        else:
            for name in (A, B):
                self.users[name] = make_resident(kelurahan_code=HOME)
            self.headers.update(self._sign_in((A, B)))
            self._staff({CLERK: ("clerk", {"kelurahan_code": HOME}), CLERK_X: ("clerk", {"kelurahan_code": OTHER}),
                         LURAH: ("lurah", {"kelurahan_code": HOME}), LURAH_X: ("lurah", {"kelurahan_code": OTHER}),
                         DISPATCHER: ("dispatcher", {}), JUKIR: ("parking_attendant", {"zone_code": ZONE}),
                         JUKIR_X: ("parking_attendant", {"zone_code": OTHER_ZONE}),
                         PERMIT_ADMIN: ("permit_admin", {}), ADMIN: ("city_admin", {})})
        # Each world has its own two teams, so a dispatched call never finds its team busy from another world.
        self.team, self.other_team = self._teams()
        self._staff({MEDIC: ("medic", {"team_id": self.team}), MEDIC_X: ("medic", {"team_id": self.other_team})})

    def _staff(self, specs: dict) -> None:
        """Staff accounts in one transaction (as `flask users create` makes them, minus a commit per user)."""
        from citizen_app.identity.models import User
        from citizen_app.identity.services import hash_password

        with self.app.app_context():
            password = hash_password(PASSWORD)
            rows = {}
            for name, (role, extra) in specs.items():
                serial = next(_serial)
                if role == "lurah":
                    extra = {**extra, "nip": f"19800101{serial:010d}", "title": "Lurah"}
                rows[name] = User(role=role, username=f"{role}{serial}", full_name=f"{role} {serial}",
                                  password_hash=password, **extra)
            db.session.add_all(rows.values())
            db.session.commit()
            for name, user in rows.items():
                db.session.refresh(user)
                db.session.expunge(user)
                self.users[name] = user
        self.headers.update(self._sign_in(specs))

    def _sign_in(self, names) -> dict:
        from citizen_app.identity.models import User
        from citizen_app.identity.services import issue_tokens

        with self.app.app_context():
            return {name: {"Authorization": "Bearer " + issue_tokens(db.session.get(
                User, self.users[name].id))["access_token"]} for name in names}

    def _teams(self) -> tuple[int, int]:
        from citizen_app.brigade.models import BrigadeTeam

        with self.app.app_context():
            teams = [BrigadeTeam(name=f"Tim Matriks {self.n}", latitude=-10.1700, longitude=123.6000,
                                 status="available"),
                     BrigadeTeam(name=f"Tim Lain {self.n}", latitude=-10.2000, longitude=123.6500,
                                 status="available")]
            db.session.add_all(teams)
            db.session.commit()
            return teams[0].id, teams[1].id

    # ---- plumbing
    def request(self, principal: str, method: str, path: str, token: str = "access", **kwargs):  # noqa: S107
        headers = dict(self.headers[principal])
        if token == "refresh" and principal != ANON:
            headers["Authorization"] = f"Bearer {self.refresh_tokens[principal]}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def ok(self, principal: str, method: str, path: str, expect: int = 200, **kwargs):
        res = self.request(principal, method, API + path, **kwargs)
        assert res.status_code == expect, (method, path, principal, res.status_code, res.get_json(silent=True))
        return res.get_json(silent=True)

    def plate(self) -> str:
        return f"DH {self.n % 10000} {chr(65 + next(self._plates) % 26)}{chr(65 + self.n % 26)}"

    @functools.cached_property
    def refresh_tokens(self) -> dict:
        from citizen_app.identity.models import User
        from citizen_app.identity.services import issue_tokens

        with self.app.app_context():
            return {name: issue_tokens(db.session.get(User, user.id))["refresh_token"]
                    for name, user in self.users.items()}

    # ---- letters (A's request, served by A's home kelurahan)
    def _letter(self, *actions: tuple[str, str]) -> int:
        rid = self.ok(A, "POST", "/documents/requests", 201, json=LETTER)["id"]
        for who, action in actions:
            body = {"action": action, "note": "Catatan petugas"}
            self.ok(who, "POST", f"/documents/requests/{rid}/actions", json=body)
        return rid

    @functools.cached_property
    def letter(self) -> int:
        return self._letter()

    @functools.cached_property
    def letter_elsewhere(self) -> int:
        """A's letter served by another kelurahan (any-kelurahan pattern): scope follows the serving office."""
        return self.ok(A, "POST", "/documents/requests", 201, json={**LETTER, "service_kelurahan_code": OTHER})["id"]

    @functools.cached_property
    def attachment(self) -> int:
        return self.ok(A, "POST", f"/documents/requests/{self.letter}/attachments", 201, **png_upload())["id"]

    @functools.cached_property
    def letter_in_review(self) -> int:
        return self._letter((CLERK, "review"))

    @functools.cached_property
    def letter_needs_revision(self) -> int:
        return self._letter((CLERK, "review"), (CLERK, "request_revision"))

    @functools.cached_property
    def letter_approved(self) -> int:
        return self._letter((CLERK, "review"), (CLERK, "approve"))

    @functools.cached_property
    def letter_signed(self) -> int:
        return self._letter((CLERK, "review"), (CLERK, "approve"), (LURAH, "sign"))

    @functools.cached_property
    def letter_qr(self) -> str:
        return self.ok(A, "GET", f"/documents/requests/{self.letter_signed}")["letter"]["qr_text"]

    # ---- brigade (A's call; team `team` has MEDIC, `other_team` has MEDIC_X)
    @functools.cached_property
    def call(self) -> int:
        return self.ok(A, "POST", "/brigade/calls", 201, json=CALL)["id"]

    @functools.cached_property
    def call_triaged(self) -> int:
        call_id = self.ok(A, "POST", "/brigade/calls", 201, json=CALL)["id"]
        self.ok(DISPATCHER, "POST", f"/brigade/calls/{call_id}/actions", json={"action": "triage", "priority": "red"})
        return call_id

    @functools.cached_property
    def call_dispatched(self) -> int:
        call_id = self.call_triaged
        self.ok(DISPATCHER, "POST", f"/brigade/calls/{call_id}/actions",
                json={"action": "assign", "team_id": self.team})
        return call_id

    # ---- parking (A's sessions in ZONE)
    provider, zone = "simulator", ZONE

    def _session(self) -> int:
        body = {"zone_code": ZONE, "plate_number": self.plate(), "vehicle_class": "car"}
        return self.ok(A, "POST", "/parking/sessions", 201, json=body)["id"]

    @functools.cached_property
    def session(self) -> int:
        return self._session()

    @functools.cached_property
    def session_plate(self) -> str:
        return self.ok(A, "GET", f"/parking/sessions/{self.session}")["plate_number"]

    @functools.cached_property
    def pending_reference(self) -> str:
        return self.pending_payment["reference"]

    @functools.cached_property
    def pending_payment(self) -> dict:
        return self.ok(A, "POST", f"/parking/sessions/{self._session()}/payments", 201, json={"method": "qris"})

    @functools.cached_property
    def paid(self) -> dict:
        """A session paid by QRIS and settled by the provider: {"session": id, "payment": id}."""
        session_id = self._session()
        payment = self.ok(A, "POST", f"/parking/sessions/{session_id}/payments", 201, json={"method": "qris"})
        self.ok(ANON, "POST", f"/parking/simulator/pay/{payment['reference']}")
        return {"session": session_id, "payment": payment["id"]}

    @functools.cached_property
    def paid_session(self) -> int:
        return self.paid["session"]

    @functools.cached_property
    def payment(self) -> int:
        return self.paid["payment"]

    @functools.cached_property
    def receipt_qr(self) -> str:
        return self.ok(A, "GET", f"/parking/sessions/{self.paid_session}/receipt")["qr"]

    @functools.cached_property
    def topup_payment(self) -> int:
        return self.ok(A, "POST", "/wallet/topups", 201, json={"amount": 10000})["id"]

    @functools.cached_property
    def funded_wallet(self) -> int:
        topup = self.ok(A, "POST", "/wallet/topups", 201, json={"amount": 50000})
        self.ok(ANON, "POST", f"/parking/simulator/pay/{topup['reference']}")
        return 50000

    def webhook_body(self) -> dict:
        from citizen_app.parking import providers

        with self.app.app_context():
            return providers.get("simulator").notification(self.pending_payment["reference"],
                                                           self.pending_payment["amount"])

    @functools.cached_property
    def deposit(self) -> int:
        return self.ok(JUKIR, "POST", "/parking/deposits", 201, json={"amount": 25000, "note": "Setoran pagi"})["id"]

    # ---- notifications
    @functools.cached_property
    def notification(self) -> int:
        """A's notification: the clerk starting the review tells the resident."""
        self.letter_in_review  # noqa: B018 - built for its side effect
        items = self.ok(A, "GET", "/notifications")["items"]
        assert items, "the review should have notified resident A"
        return items[0]["id"]

    @functools.cached_property
    def endpoint(self) -> str:
        endpoint = f"https://push.example.org/send/a-{self.n}"
        self.ok(A, "POST", "/push/subscriptions", 201, json=push_subscription(endpoint))
        return endpoint

    @functools.cached_property
    def broadcast(self) -> int:
        body = {"title": "Pemadaman air", "body": "Air mati besok pagi.", "kelurahan_codes": [OTHER]}
        return self.ok(ADMIN, "POST", "/broadcasts", 201, json=body)["id"]

    # ---- permits
    @functools.cached_property
    def permit(self) -> str:
        slug = f"izin-matriks-{self.n}"
        self.ok(PERMIT_ADMIN, "POST", "/permits", 201, json={"slug": slug, "name": f"Izin Matriks {self.n}",
                                                             "sector": "Perdagangan"})
        return slug

    @functools.cached_property
    def retired_permit(self) -> str:
        slug = f"izin-pensiun-{self.n}"
        self.ok(PERMIT_ADMIN, "POST", "/permits", 201, json={"slug": slug, "name": f"Izin Pensiun {self.n}",
                                                             "sector": "Perdagangan"})
        self.ok(PERMIT_ADMIN, "DELETE", f"/permits/{slug}", 204)
        return slug


class Lazy(dict):
    """format_map() source: `{letter}` in a path builds the world's letter on first use."""

    def __init__(self, world: World):
        super().__init__()
        self.world = world

    def __missing__(self, key):
        return getattr(self.world, key)
