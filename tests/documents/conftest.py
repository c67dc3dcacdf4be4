"""Helpers for the letter tests: a resident with a full profile, staff of HOME and OTHER, and the happy path."""

from dataclasses import dataclass

import pytest

from tests.conftest import HOME, OTHER

PROFILE = {"birth_place": "Kupang", "religion": "Kristen", "marital_status": "Belum Kawin",
           "occupation": "Pelajar/Mahasiswa", "address": "Jl. El Tari 3", "rt": "004", "rw": "002"}
DOMISILI = {"type_code": "domisili", "service_kelurahan_code": OTHER, "purpose": "Melamar pekerjaan",
            "fields": {"rt": "004", "rw": "002", "lived_since": "2015-07-01"}}


@dataclass
class Flow:
    client: object
    auth: object
    make_user: object
    make_resident: object

    def resident(self, **overrides):
        return self.make_resident(**{**PROFILE, **overrides})

    def staff(self, role, kelurahan=OTHER, **overrides):
        return self.make_user(role, kelurahan_code=kelurahan, **overrides)

    def submit(self, resident, body=None, headers=None, **overrides):
        payload = {**(body or DOMISILI), **overrides}
        return self.client.post("/api/v1/documents/requests", json=payload,
                                headers={**self.auth(resident), **(headers or {})})

    def act(self, user, request_id, action, **body):
        return self.client.post(f"/api/v1/documents/requests/{request_id}/actions",
                                json={"action": action, **body}, headers=self.auth(user))

    def get(self, user, request_id, suffix=""):
        return self.client.get(f"/api/v1/documents/requests/{request_id}{suffix}", headers=self.auth(user))

    def approved(self, resident=None, clerk=None, **overrides):
        resident = resident or self.resident()
        clerk = clerk or self.staff("clerk")
        res = self.submit(resident, **overrides)
        assert res.status_code == 201, res.json
        rid = res.json["id"]
        for action in ("review", "approve"):
            step = self.act(clerk, rid, action)
            assert step.status_code == 200, step.json
        return resident, rid

    def signed(self, resident=None, lurah=None, **overrides):
        lurah = lurah or self.staff("lurah")
        resident, rid = self.approved(resident, **overrides)
        res = self.act(lurah, rid, "sign")
        assert res.status_code == 200, res.json
        return resident, rid, res.json


@pytest.fixture
def flow(client, auth_headers, make_user, make_resident):
    return Flow(client, auth_headers, make_user, make_resident)


__all__ = ["HOME", "OTHER", "PROFILE", "DOMISILI", "Flow"]
