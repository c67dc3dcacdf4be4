"""The authorisation matrix: every /api/v1 endpoint × every principal (API.md, Conventions and each domain).

Read a row as "who may": `ok` get the row's success status with a valid request; `hidden` get 404 (another
resident's record, or a record that is only ever its owner's); every other signed-in principal gets 403 (wrong
role, or staff out of scope) and anonymous gets 401. Public rows succeed for everyone.

For each row the refused principals go first, on one world, and each refusal must change nothing in the
database. Then the allowed ones: on a fresh world each when the row changes state (a clerk's "review" succeeds
once), else on the same world; an allowed request that must not touch anything (reads; another user's no-op)
is checked to change nothing too. A new endpoint that is missing from the table fails test_every_route_is_in_the_table.
"""

import itertools
import re
from dataclasses import dataclass, replace
from datetime import date

import pytest

from citizen_app.extensions import limiter
from citizen_app.identity.nik import make_nik
from tests.conftest import HOME, PASSWORD
from tests.hardening.authz_world import (
    ADMIN,
    ANON,
    API,
    AUTHENTICATED,
    CALL,
    CLERK,
    CLERK_X,
    DISPATCHER,
    JUKIR,
    JUKIR_X,
    LETTER,
    LURAH,
    LURAH_X,
    MEDIC,
    MEDIC_X,
    PERMIT_ADMIN,
    PRINCIPALS,
    RESIDENTS,
    ZONE,
    A,
    B,
    Lazy,
    World,
    png_upload,
    push_subscription,
    snapshot,
)

PUBLIC = frozenset(PRINCIPALS)
NOBODY = frozenset()


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # under /api/v1; {name} is built on demand from the World (e.g. {letter}: A's letter request)
    ok: frozenset
    status: int = 200
    hidden: frozenset = NOBODY
    body: object = None  # callable(world, principal) -> keyword arguments for the test client
    needs: tuple = ()  # World parts to build before anyone asks (e.g. a funded wallet)
    fresh: bool | None = None  # each allowed principal on a new world; default: every non-GET
    effective: frozenset | None = None  # allowed principals whose request may change data; default: all for non-GET
    token: str = "access"
    label: str = ""
    disputed: tuple = ()  # ((principal, why), ...): the implementation disagrees; checked apart, as xfail
    only: frozenset | None = None  # principals this row exercises (set for the disputed ones' rows)

    def expected(self, principal: str) -> int:
        if principal in self.ok:
            return self.status
        if principal in self.hidden:
            return 404
        return 401 if principal == ANON else 403

    @property
    def is_fresh(self) -> bool:
        return self.method != "GET" if self.fresh is None else self.fresh

    @property
    def changes(self) -> frozenset:
        if self.effective is not None:
            return self.effective
        return NOBODY if self.method == "GET" else self.ok

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.label}]" if self.label else "")

    def principals(self) -> list[str]:
        skipped = {p for p, _why in self.disputed}
        return [p for p in PRINCIPALS if p not in skipped and (self.only is None or p in self.only)]


def row(method, path, ok, hidden=NOBODY, effective=None, **kwargs) -> Row:
    return Row(method, path, frozenset(ok), hidden=frozenset(hidden),
               effective=None if effective is None else frozenset(effective), **kwargs)


def json(payload):
    return lambda world, principal: {"json": payload}


def letter_action(action: str):
    return json({"action": action, "note": "Catatan untuk matriks"})


_n = itertools.count(1)


def register_body(world, principal):
    n = 1 + next(_n) % 9999  # the NIK's 4-digit serial
    birth = date(1990, 5, 17)
    return {"json": {"nik": make_nik("53.71.05", birth, "male", n), "full_name": f"Pendaftar {n}",
                     "birth_date": birth.isoformat(), "gender": "male", "phone": f"0813{n:08d}",
                     "password": PASSWORD, "kelurahan_code": HOME, "address": "Jl. Frans Seda 2"}}


def login_body(world, principal):
    return {"json": {"username": world.users[A].phone, "password": PASSWORD}}


def unique(prefix: str):
    return f"{prefix}{next(_n)}"


# Where the implementation disagrees with API.md or the obvious rule: the row's other principals are checked as
# usual; each disputed principal gets its own strict xfail, so fixing the code turns it into a failure to clean up.
LETTER_VIEWERS = {A, CLERK, LURAH, ADMIN}  # the owner, the serving kelurahan's staff, the city admin
CALL_VIEWERS = {A, DISPATCHER, MEDIC, ADMIN}  # the caller, the dispatcher, the assigned team, the city admin
SESSION_VIEWERS = {A, JUKIR, ADMIN}  # the driver, the zone's attendant, the city admin
PERMIT_ADMINS = {PERMIT_ADMIN, ADMIN}

ROWS = [
    # ---- meta, regions
    row("GET", "/openapi.json", PUBLIC),
    row("GET", "/city", PUBLIC),
    row("GET", "/regions/kecamatan", PUBLIC),
    row("GET", "/regions/kelurahan", PUBLIC),
    # ---- identity
    row("POST", "/auth/register", PUBLIC, status=201, body=register_body, fresh=False),
    row("POST", "/auth/login", PUBLIC, body=login_body, fresh=False, effective=NOBODY),
    row("POST", "/auth/refresh", AUTHENTICATED, token="refresh", body=json({}), fresh=False),
    row("POST", "/auth/logout", AUTHENTICATED, status=204, body=json({}), fresh=False),
    row("GET", "/me", AUTHENTICATED),
    row("PATCH", "/me", AUTHENTICATED, body=json({"occupation": "Wiraswasta"}), fresh=False),
    row("GET", "/admin/users", {ADMIN}),
    row("POST", "/admin/users", {ADMIN}, status=201, body=lambda w, p: {"json": {
        "username": unique("staf"), "password": PASSWORD, "role": "clerk", "kelurahan_code": HOME}}),
    # ---- documents: A's letter, served by A's home kelurahan
    row("GET", "/documents/types", PUBLIC),
    row("POST", "/documents/requests", RESIDENTS, status=201, body=json(LETTER), fresh=False),
    row("GET", "/documents/requests", {A, B, CLERK, CLERK_X, LURAH, LURAH_X, ADMIN}),
    row("GET", "/documents/requests/{letter}", LETTER_VIEWERS, hidden={B}),
    row("POST", "/documents/requests/{letter}/actions", {CLERK}, hidden={B}, body=letter_action("review"),
        label="review"),
    # The same letter asked at another kelurahan: that office serves it, A's home office has no say.
    row("GET", "/documents/requests/{letter_elsewhere}", {A, CLERK_X, LURAH_X, ADMIN}, hidden={B},
        label="served elsewhere"),
    row("POST", "/documents/requests/{letter_elsewhere}/actions", {CLERK_X}, hidden={B},
        body=letter_action("review"), label="review, served elsewhere"),
    row("POST", "/documents/requests/{letter_in_review}/actions", {CLERK}, hidden={B},
        body=letter_action("request_revision"), label="request_revision"),
    row("POST", "/documents/requests/{letter_in_review}/actions", {CLERK}, hidden={B},
        body=letter_action("approve"), label="approve"),
    row("POST", "/documents/requests/{letter_approved}/actions", {CLERK, LURAH}, hidden={B},
        body=letter_action("reject"), label="reject"),
    row("POST", "/documents/requests/{letter_approved}/actions", {LURAH}, hidden={B},
        body=letter_action("sign"), label="sign"),
    row("POST", "/documents/requests/{letter_signed}/actions", {CLERK}, hidden={B},
        body=letter_action("mark_collected"), label="mark_collected"),
    row("POST", "/documents/requests/{letter_signed}/actions", {LURAH}, hidden={B},
        body=letter_action("revoke"), label="revoke"),
    row("POST", "/documents/requests/{letter}/actions", {A}, hidden={B}, body=letter_action("cancel"),
        label="cancel"),
    row("POST", "/documents/requests/{letter_needs_revision}/actions", {A}, hidden={B},
        body=letter_action("resubmit"), label="resubmit"),
    # Staff of the serving office may add a scan at the counter; a city admin may look, not add.
    row("POST", "/documents/requests/{letter}/attachments", {A, CLERK, LURAH}, status=201, hidden={B},
        body=lambda w, p: png_upload(), fresh=False),
    # Scans of identity papers: the owner and the serving office only (documents/attachments.py says so too).
    row("GET", "/documents/requests/{letter}/attachments", {A, CLERK, LURAH}, hidden={B}),
    row("GET", "/documents/requests/{letter}/attachments/{attachment}", {A, CLERK, LURAH}, hidden={B}),
    # API.md: "the signed letter (owner or staff of the serving/issuing kelurahan)"; it prints the whole NIK.
    row("GET", "/documents/requests/{letter_signed}/pdf", {A, CLERK, LURAH}, hidden={B}),
    row("GET", "/documents/requests/{letter_signed}/qr.png", LETTER_VIEWERS, hidden={B}),
    row("POST", "/documents/verify", PUBLIC, body=lambda w, p: {"json": {"qr": w.letter_qr}}, effective=NOBODY,
        fresh=False),
    row("GET", "/documents/trust-list", PUBLIC),
    row("GET", "/documents/revocations", PUBLIC),
    row("GET", "/stats/documents", PUBLIC),
    # ---- brigade: A's call; MEDIC's team is the one dispatched to it
    row("GET", "/brigade/categories", PUBLIC),
    row("POST", "/brigade/calls", RESIDENTS, status=201, body=json(CALL), fresh=False),
    row("GET", "/brigade/calls", {A, B, DISPATCHER, MEDIC, MEDIC_X, ADMIN}),
    row("GET", "/brigade/calls/{call_dispatched}", CALL_VIEWERS, hidden={B}),
    row("POST", "/brigade/calls/{call}/actions", {DISPATCHER}, hidden={B},
        body=json({"action": "triage", "priority": "red"}), label="triage"),
    row("POST", "/brigade/calls/{call_triaged}/actions", {DISPATCHER}, hidden={B},
        body=lambda w, p: {"json": {"action": "assign", "team_id": w.other_team}}, label="assign"),
    row("POST", "/brigade/calls/{call_dispatched}/actions", {DISPATCHER, MEDIC}, hidden={B},
        body=json({"action": "en_route"}), label="en_route"),
    row("POST", "/brigade/calls/{call}/actions", {A, DISPATCHER}, hidden={B},
        body=json({"action": "cancel", "note": "Pasien sudah dibawa keluarga"}), label="cancel"),
    row("GET", "/brigade/calls/{call_triaged}/suggested-teams", {DISPATCHER, ADMIN}),
    row("GET", "/brigade/teams", {DISPATCHER, MEDIC, MEDIC_X, ADMIN}),
    row("POST", "/brigade/teams", {DISPATCHER, ADMIN}, status=201,
        body=lambda w, p: {"json": {"name": unique("Tim Baru "), "latitude": -10.18, "longitude": 123.61}},
        fresh=False),
    row("PATCH", "/brigade/teams/{team}", {DISPATCHER, MEDIC, ADMIN},
        body=json({"latitude": -10.1750, "longitude": 123.6050}), fresh=False),
    row("GET", "/stats/brigade", PUBLIC),
    # ---- parking: A's sessions in ZONE, whose attendant is JUKIR
    row("GET", "/parking/zones", PUBLIC),
    row("GET", "/parking/zones/{zone}", PUBLIC),
    row("GET", "/parking/zones/{zone}/qr.png", PUBLIC),
    row("POST", "/parking/sessions", {A, B, JUKIR}, status=201, fresh=False, body=lambda w, p: {"json": {
        "zone_code": ZONE, "plate_number": w.plate(), "vehicle_class": "motorcycle"}}),
    row("GET", "/parking/sessions", {A, B, JUKIR, JUKIR_X, ADMIN}),
    row("GET", "/parking/sessions/{session}", SESSION_VIEWERS, hidden={B}),
    row("POST", "/parking/sessions/{session}/stop", SESSION_VIEWERS, hidden={B}),
    row("POST", "/parking/sessions/{session}/cancel", SESSION_VIEWERS, hidden={B}),
    row("POST", "/parking/sessions/{session}/payments", {A, JUKIR}, status=201, hidden={B},
        body=json({"method": "qris"}), label="qris"),
    row("POST", "/parking/sessions/{session}/payments", {A}, status=201, hidden={B},
        body=json({"method": "wallet"}), needs=("funded_wallet",), label="wallet"),
    row("POST", "/parking/sessions/{session}/payments", {JUKIR}, status=201, hidden={B},
        body=json({"method": "cash"}), label="cash"),
    row("GET", "/parking/sessions/{paid_session}/receipt", SESSION_VIEWERS, hidden={B}),
    row("GET", "/parking/payments/{payment}", SESSION_VIEWERS, hidden={B}),
    row("GET", "/parking/payments/{topup_payment}", {A, ADMIN}, hidden={B}, label="wallet top-up"),
    row("POST", "/parking/webhooks/{provider}", PUBLIC, body=lambda w, p: {"json": w.webhook_body()}, fresh=False),
    row("POST", "/parking/simulator/pay/{pending_reference}", PUBLIC, fresh=False),
    row("POST", "/parking/verify", {JUKIR, ADMIN}, effective=NOBODY, fresh=False, label="plate",
        body=lambda w, p: {"json": {"plate_number": w.session_plate, "zone_code": ZONE}}),
    row("POST", "/parking/verify", {JUKIR, ADMIN}, effective=NOBODY, fresh=False, label="receipt qr",
        body=lambda w, p: {"json": {"qr": w.receipt_qr}}),
    row("GET", "/parking/attendant/today", {JUKIR, JUKIR_X}),
    row("GET", "/parking/reports/revenue", {ADMIN}),
    row("POST", "/parking/deposits", {JUKIR, JUKIR_X}, status=201, body=json({"amount": 15000}), fresh=False),
    row("GET", "/parking/deposits", {JUKIR, JUKIR_X, ADMIN}),
    row("POST", "/parking/deposits/{deposit}/confirm", {ADMIN}),
    row("GET", "/wallet", RESIDENTS),
    row("POST", "/wallet/topups", RESIDENTS, status=201, body=json({"amount": 20000}), fresh=False),
    row("GET", "/stats/parking", PUBLIC),
    # ---- notifications: a notification and a push device of A's
    row("GET", "/push/vapid-public-key", PUBLIC),
    row("POST", "/push/subscriptions", AUTHENTICATED, status=201, fresh=False,
        body=lambda w, p: {"json": push_subscription(f"https://push.example.org/send/{unique(p)}")}),
    # Another user's endpoint is left alone, and the answer doesn't tell it exists (API: 204 either way).
    row("DELETE", "/push/subscriptions", AUTHENTICATED, status=204, effective={A}, fresh=False,
        body=lambda w, p: {"json": {"endpoint": w.endpoint}}),
    row("GET", "/notifications", AUTHENTICATED),
    row("POST", "/notifications/{notification}/read", {A}, status=204, hidden=AUTHENTICATED - {A}),
    row("POST", "/notifications/read-all", AUTHENTICATED, status=204, effective={A}, needs=("notification",),
        fresh=False),
    row("GET", "/notifications/preferences", AUTHENTICATED),
    row("PUT", "/notifications/preferences", AUTHENTICATED, body=json({"muted_topics": ["parking"]}), fresh=False),
    row("GET", "/broadcasts", {ADMIN}),
    row("POST", "/broadcasts", {ADMIN}, status=201,
        body=json({"title": "Kerja bakti", "body": "Sabtu pagi.", "kelurahan_codes": ["53.71.01.1001"]})),
    row("GET", "/broadcasts/{broadcast}", {ADMIN}),
    # ---- permits
    row("GET", "/permits", PUBLIC),
    row("GET", "/permits/sectors", PUBLIC),
    row("GET", "/permits/catalog", PUBLIC),
    row("GET", "/permits/{permit}", PUBLIC),
    row("GET", "/permits/{retired_permit}", PERMIT_ADMINS, hidden=PUBLIC - PERMIT_ADMINS, label="retired"),
    row("POST", "/permits", PERMIT_ADMINS, status=201, fresh=False, body=lambda w, p: {"json": {
        "slug": unique("izin-baru-"), "name": unique("Izin Baru "), "sector": "Perdagangan"}}),
    row("PUT", "/permits/{permit}", PERMIT_ADMINS, body=json({"channel": "Loket DPMPTSP"}), fresh=False),
    row("DELETE", "/permits/{permit}", PERMIT_ADMINS, status=204),
    row("POST", "/permits/{retired_permit}/restore", PERMIT_ADMINS),
    row("GET", "/permits/{permit}/history", PERMIT_ADMINS),
    row("GET", "/stats/permits", PUBLIC),
]


@pytest.fixture(autouse=True)
def no_rate_limits():
    was = limiter.enabled
    limiter.enabled = False
    yield
    limiter.enabled = was


@pytest.fixture
def new_world(app, client, make_resident):
    return lambda people=None: World(app, client, make_resident, people)


def _prepare(row: Row, world: World, principals) -> tuple[str, dict]:
    for part in row.needs:
        getattr(world, part)
    path = API + row.path.format_map(Lazy(world))
    bodies = {p: (row.body(world, p) if row.body else {}) for p in principals}
    return path, bodies


def _describe(row: Row, principal: str, res) -> str:
    got = f"{res.status_code} {res.get_json(silent=True)}"
    return f"{row.id} as {principal}: expected {row.expected(principal)}, got {got}"


def _params():
    for r in ROWS:
        yield pytest.param(r, id=r.id)
        for principal, why in r.disputed:
            only = replace(r, disputed=(), only=frozenset({principal}))
            yield pytest.param(only, id=f"{r.id} as {principal}",
                               marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=why))


@pytest.mark.parametrize("row", list(_params()))
def test_matrix(row: Row, app, new_world):
    principals = row.principals()
    refused = [p for p in principals if p not in row.ok]
    # Allowed requests that must change nothing run before those that change something.
    allowed = sorted((p for p in principals if p in row.ok), key=lambda p: p in row.changes)
    world = new_world()
    path, bodies = _prepare(row, world, principals)
    before = snapshot(app)
    for principal in refused:
        res = world.request(principal, row.method, path, token=row.token, **bodies[principal])
        assert res.status_code == row.expected(principal), _describe(row, principal, res)
        assert res.get_json()["status"] == res.status_code, "errors keep the contract's shape"
        assert snapshot(app) == before, f"{row.id}: the refused request by {principal} changed data"

    for i, principal in enumerate(allowed):
        if row.is_fresh and i > 0:
            world = new_world(people=world)
            path, bodies = _prepare(row, world, [principal])
        check_unchanged = principal not in row.changes
        if check_unchanged:
            before = snapshot(app)
        res = world.request(principal, row.method, path, token=row.token, **bodies[principal])
        assert res.status_code == row.status, _describe(row, principal, res)
        if check_unchanged:
            assert snapshot(app) == before, f"{row.id}: {principal}'s request should change nothing"


def _shape(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_every_route_is_in_the_table(app):
    routes = {(method, _shape(rule.rule)) for rule in app.url_map.iter_rules() if rule.rule.startswith(API)
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    table = {(r.method, _shape(API + r.path)) for r in ROWS}
    assert routes - table == set(), "endpoints missing from the authorisation matrix"
    assert table - routes == set(), "rows for endpoints that no longer exist"


# ---- what lists show, and what guessing ids finds

LISTS = [
    # (list path, World attribute of A's record, principals whose list includes it, principals whose list doesn't)
    ("/documents/requests", "letter", {A, CLERK, LURAH, ADMIN}, {B, CLERK_X, LURAH_X}),
    ("/documents/requests", "letter_elsewhere", {A, CLERK_X, LURAH_X, ADMIN}, {B, CLERK, LURAH}),
    ("/brigade/calls?status=all", "call_dispatched", {A, DISPATCHER, MEDIC, ADMIN}, {B, MEDIC_X}),
    ("/parking/sessions", "session", {A, JUKIR, ADMIN}, {B, JUKIR_X}),
    ("/parking/deposits", "deposit", {JUKIR, ADMIN}, {JUKIR_X}),
    ("/notifications", "notification", {A}, AUTHENTICATED - {A}),
    ("/broadcasts", "broadcast", {ADMIN}, set()),
]


@pytest.mark.parametrize("path, record, sees, blind", LISTS, ids=[f"{e[0]} {e[1]}" for e in LISTS])
def test_lists_show_a_record_only_in_scope(path, record, sees, blind, new_world):
    world = new_world()
    record_id = getattr(world, record)
    for principal in sees | blind:
        page = world.ok(principal, "GET", path)
        ids = {item["id"] for item in page["items"]}
        assert (record_id in ids) == (principal in sees), f"{path} as {principal}: {sorted(ids)}"


def test_another_resident_cannot_reach_a_residents_records_by_guessing_ids(app, new_world):
    """B walks every id up to past the highest one in use, on every per-record endpoint: only B's own answer."""
    world = new_world()
    a_records = {
        "letter": world.letter, "attachment": world.attachment, "signed": world.letter_signed,
        "call": world.call_dispatched, "session": world.session, "paid_session": world.paid_session,
        "payment": world.payment, "topup": world.topup_payment, "notification": world.notification,
    }
    mine = {
        "letter": world.ok(B, "POST", "/documents/requests", 201, json=LETTER)["id"],
        "call": world.ok(B, "POST", "/brigade/calls", 201, json=CALL)["id"],
        "session": world.ok(B, "POST", "/parking/sessions", 201,
                            json={"zone_code": ZONE, "plate_number": world.plate(), "vehicle_class": "car"})["id"],
    }
    mine["attachment"] = world.ok(B, "POST", f"/documents/requests/{mine['letter']}/attachments", 201,
                                  **png_upload())["id"]
    top = max(max(a_records.values()), max(mine.values())) + 3
    reads = ["/documents/requests/{id}", "/documents/requests/{id}/attachments", "/documents/requests/{id}/pdf",
             "/documents/requests/{id}/qr.png", "/brigade/calls/{id}", "/parking/sessions/{id}",
             "/parking/sessions/{id}/receipt", "/parking/payments/{id}"]
    writes = [("/documents/requests/{id}/actions", {"action": "cancel"}),
              ("/documents/requests/{id}/attachments", None),
              ("/brigade/calls/{id}/actions", {"action": "cancel"}),
              ("/parking/sessions/{id}/stop", None), ("/parking/sessions/{id}/cancel", None),
              ("/parking/sessions/{id}/payments", {"method": "qris"}),
              ("/notifications/{id}/read", None)]
    owned_by_b = {("/documents/requests", mine["letter"]), ("/brigade/calls", mine["call"]),
                  ("/parking/sessions", mine["session"])}
    before = snapshot(app)
    for i in range(1, top + 1):
        for template in reads:
            path = template.format(id=i)
            if any(path.startswith(f"{prefix}/{rid}") for prefix, rid in owned_by_b):
                continue
            res = world.request(B, "GET", API + path)
            assert res.status_code == 404, (path, res.status_code, res.get_json(silent=True))
        for template, body in writes:
            path = template.format(id=i)
            if any(path.startswith(f"{prefix}/{rid}") for prefix, rid in owned_by_b):
                continue
            kwargs = png_upload() if path.endswith("/attachments") else {"json": body} if body else {}
            res = world.request(B, "POST", API + path, **kwargs)
            assert res.status_code == 404, (path, res.status_code, res.get_json(silent=True))
    # Every attachment id under every request id: B gets only B's own file, also not A's under B's request.
    for rid in range(1, top + 1):
        for aid in range(1, max(a_records["attachment"], mine["attachment"]) + 3):
            res = world.request(B, "GET", API + f"/documents/requests/{rid}/attachments/{aid}")
            expected = 200 if (rid, aid) == (mine["letter"], mine["attachment"]) else 404
            assert res.status_code == expected, (rid, aid, res.status_code)
    assert snapshot(app) == before, "B's guesses changed data"

    # B's own lists and bulk actions never include or touch A's records.
    assert [r["id"] for r in world.ok(B, "GET", "/documents/requests")["items"]] == [mine["letter"]]
    assert [c["id"] for c in world.ok(B, "GET", "/brigade/calls?status=all")["items"]] == [mine["call"]]
    assert [s["id"] for s in world.ok(B, "GET", "/parking/sessions")["items"]] == [mine["session"]]
    assert world.ok(B, "GET", "/notifications")["items"] == []
    assert world.ok(B, "GET", "/wallet")["items"] == []
    world.ok(B, "POST", "/notifications/read-all", 204)
    world.ok(B, "DELETE", "/push/subscriptions", 204, json={"endpoint": world.endpoint})
    inbox = world.ok(A, "GET", "/notifications")
    assert inbox["unread_count"] >= 1 and any(n["id"] == a_records["notification"] for n in inbox["items"])
    with app.app_context():
        from citizen_app.extensions import db
        from citizen_app.notifications.models import PushSubscription

        device = db.session.query(PushSubscription).filter_by(endpoint=world.endpoint).one()
        assert device.user_id == world.users[A].id


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(app, new_world):
    world = new_world()
    body = world.webhook_body()
    before = snapshot(app)
    for principal in PRINCIPALS:
        forged = {**body, "signature_key": "0" * 128}
        res = world.request(principal, "POST", API + "/parking/webhooks/simulator", json=forged)
        assert res.status_code == 401, (principal, res.get_json())
    assert snapshot(app) == before
    assert world.ok(A, "GET", f"/parking/payments/{world.pending_payment['id']}")["status"] == "pending"
