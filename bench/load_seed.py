"""Seed for the load benchmark: residents with tokens, and one signed letter.

Three groups, so each round of the benchmark measures the same work: readers (whose request lists are read; 3
requests each, as most residents have), full-page readers (25 requests each: their first page is a full 20) and
writers (who ask for letters and start parking sessions during the runs; before, the writes went to the readers,
whose lists grew from 3 items to a full page after the first round's letter requests)."""

from datetime import date

from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.identity.nik import make_nik
from citizen_app.identity.services import create_staff, issue_tokens, register_resident

HOME = "53.71.05.1005"
READERS = 200
FULL_PAGE_READERS = 20
WRITERS = 200
REQUEST_BODY = {"type_code": "domisili", "service_kelurahan_code": HOME, "purpose": "Melamar pekerjaan",
                "fields": {"rt": "001", "rw": "002"}}


def seed(app) -> dict:
    client = app.test_client()
    with app.app_context():
        residents = [
            register_resident({
                "nik": make_nik("53.71.05", date(1980 + i % 20, 1 + i % 12, 1 + i % 28), "male", i + 1),
                "full_name": f"Warga Beban {i}", "birth_date": date(1980 + i % 20, 1 + i % 12, 1 + i % 28),
                "gender": "male", "phone": f"0813{i:08d}", "password": "kata-sandi-aman",
                "kelurahan_code": HOME, "address": "Jl. Beban", "rt": "001", "rw": "002",
            })
            for i in range(READERS + FULL_PAGE_READERS + WRITERS)
        ]
        clerk = create_staff(None, {"username": "clerk_load", "password": "kata-sandi-aman", "role": "clerk",
                                    "kelurahan_code": HOME})
        lurah = create_staff(None, {"username": "lurah_load", "password": "kata-sandi-aman", "role": "lurah",
                                    "kelurahan_code": HOME, "nip": "198001012005011001", "title": "Lurah"})
        tokens = [issue_tokens(db.session.get(User, r.id))["access_token"] for r in residents]
        staff = {name: issue_tokens(db.session.get(User, u.id))["access_token"]
                 for name, u in (("clerk", clerk), ("lurah", lurah))}

    def auth(token):
        return {"Authorization": f"Bearer {token}"}

    readers, full_page = tokens[:READERS], tokens[READERS:READERS + FULL_PAGE_READERS]
    for group, count in ((readers, 3), (full_page, 25)):
        for token in group:
            for _ in range(count):
                res = client.post("/api/v1/documents/requests", json=REQUEST_BODY, headers=auth(token))
                assert res.status_code == 201, res.get_data(as_text=True)
    request_id = res.json["id"]
    for actor, action in (("clerk", "review"), ("clerk", "approve"), ("lurah", "sign")):
        res = client.post(f"/api/v1/documents/requests/{request_id}/actions", json={"action": action},
                          headers=auth(staff[actor]))
        assert res.status_code == 200, res.get_data(as_text=True)
    letter = client.get(f"/api/v1/documents/requests/{request_id}", headers=auth(full_page[-1])).json["letter"]
    zone = client.get("/api/v1/parking/zones").json["items"][0]["code"]
    return {"tokens": readers, "full_page_tokens": full_page, "writer_tokens": tokens[READERS + FULL_PAGE_READERS:],
            "qr": letter["qr_text"], "zone": zone, "request_body": REQUEST_BODY}
