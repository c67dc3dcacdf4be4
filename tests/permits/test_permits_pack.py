"""A city pack's permits.json loads idempotently; an admin's later edits survive a reload."""

import json
import shutil

import pytest
from sqlalchemy import func, select

from citizen_app.cities.models import City
from citizen_app.cities.pack import CITIES_DIR, CityPack
from citizen_app.cities.services import load_city
from citizen_app.extensions import db
from citizen_app.permits import pack as permit_pack
from citizen_app.permits.models import Permit, PermitCatalogState, PermitVersion

SEED = json.loads((CITIES_DIR / "kupang" / "permits.json").read_text(encoding="utf-8"))


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def edited_pack(tmp_path):
    """A copy of the Kupang pack whose permits.json the test rewrites."""
    directory = tmp_path / "kupang"
    shutil.copytree(CITIES_DIR / "kupang", directory)

    def write(permits):
        (directory / "permits.json").write_text(json.dumps({"permits": permits}), encoding="utf-8")
        return CityPack("kupang", directory)

    return write


def load_pack(pack) -> dict:
    summary = permit_pack.load(pack, db.session.get(City, "kupang"))
    db.session.commit()
    return summary


def test_reloading_changes_nothing_and_writes_no_version(app):
    with app.app_context():
        token = db.session.get(PermitCatalogState, "kupang").token
        versions = count(PermitVersion)
        summary = load_city("kupang")["permits"]
        assert summary == {"created": 0, "updated": 0, "unchanged": 16, "kept_admin_edits": 0}
        assert count(PermitVersion) == versions == 16
        assert db.session.get(PermitCatalogState, "kupang").token == token


def test_city_load_command_is_idempotent(app, runner):
    first = runner.invoke(args=["city", "load", "kupang"])
    second = runner.invoke(args=["city", "load", "kupang"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    with app.app_context():
        assert count(Permit) == 16 and count(PermitVersion) == 16


def test_old_names_are_moved_out_of_aliases(app):
    with app.app_context():
        nib = db.session.scalar(select(Permit).where(Permit.slug == "nib"))
        assert {"siup", "tdp", "surat izin usaha perdagangan", "tanda daftar perusahaan", "iumk"} == set(nib.old_names)
        assert "izin usaha" in nib.aliases and "siup" not in nib.aliases
        pkkpr = db.session.scalar(select(Permit).where(Permit.slug == "pkkpr"))
        assert "izin lokasi" in pkkpr.old_names


def test_pack_updates_untouched_permits_with_a_pack_version(app, edited_pack):
    permits = json.loads(json.dumps(SEED["permits"]))
    slf = next(p for p in permits if p["slug"] == "slf")
    slf["sla_working_days"] = 2
    permits.append({**slf, "slug": "slf-baru", "name": "SLF Bangunan Baru"})
    with app.app_context():
        token = db.session.get(PermitCatalogState, "kupang").token
        summary = load_pack(edited_pack(permits))
        assert summary == {"created": 1, "updated": 1, "unchanged": 15, "kept_admin_edits": 0}
        row = db.session.scalar(select(Permit).where(Permit.slug == "slf"))
        assert row.sla_working_days == 2 and row.version == 2 and not row.edited_by_admin
        latest = db.session.scalar(select(PermitVersion).where(PermitVersion.permit_id == row.id,
                                                               PermitVersion.version == 2))
        assert latest.source == "pack" and latest.actor_id is None
        assert set(latest.changes) == {"sla_working_days"}
        assert db.session.get(PermitCatalogState, "kupang").token != token
        assert load_pack(edited_pack(permits))["unchanged"] == 17  # and again: nothing


def test_an_admins_edit_survives_a_reload(app, client, make_user, auth_headers, edited_pack):
    headers = auth_headers(make_user("permit_admin"))
    assert client.put("/api/v1/permits/slf", json={"sla_working_days": 1}, headers=headers).status_code == 200
    assert client.delete("/api/v1/permits/izin-klinik", headers=headers).status_code == 204
    permits = json.loads(json.dumps(SEED["permits"]))
    next(p for p in permits if p["slug"] == "slf")["sla_working_days"] = 99
    with app.app_context():
        summary = load_pack(edited_pack(permits))
        assert summary["kept_admin_edits"] == 2 and summary["updated"] == 0
        assert db.session.scalar(select(Permit.sla_working_days).where(Permit.slug == "slf")) == 1
        assert db.session.scalar(select(Permit.status).where(Permit.slug == "izin-klinik")) == "retired"
    assert client.get("/api/v1/permits/izin-klinik").status_code == 404


def test_a_broken_pack_entry_names_the_permit(app, edited_pack):
    permits = [{**SEED["permits"][0], "sla_working_days": "nine"}]
    with app.app_context(), pytest.raises(ValueError, match="sip-dokter"):
        permit_pack.load(edited_pack(permits), db.session.get(City, "kupang"))
    with app.app_context():
        db.session.rollback()


def test_ternate_without_its_own_file_gets_the_national_default(app):
    with app.app_context():
        summary = load_city("ternate")
        assert summary["permits"]["created"] == 16
        assert count(Permit, Permit.city_code == "ternate") == 16
        assert count(Permit, Permit.city_code == "kupang") == 16
        assert load_city("ternate")["permits"]["unchanged"] == 16
