"""Loading a city pack's permits.json (the Kupang file is the national default).

Rule: the pack inserts permits that don't exist yet and updates those no admin has touched; once a permit admin
created, edited, retired or restored a permit, the admin's version wins and reloading the pack leaves it alone.
A permit missing from the pack is not retired (a pack may be partial; retiring is an admin decision).
Nothing changed, nothing written: no version row, no new catalogue token."""

import marshmallow as ma
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.permits import catalog
from citizen_app.permits.models import Permit
from citizen_app.permits.schemas import CreatePermitSchema
from citizen_app.permits.search import normalize
from citizen_app.permits.versions import apply_change, clean_content, defaults, diff

# Former national permit names; packs that don't list old_names get these moved out of their aliases.
NATIONAL_OLD_NAMES = frozenset({
    "imb", "izin mendirikan bangunan", "siup", "surat izin usaha perdagangan", "tdp", "tanda daftar perusahaan",
    "iumk", "izin usaha mikro kecil", "izin lokasi", "krk", "keterangan rencana kota", "advice planning", "ho",
    "izin gangguan",
})


class PackPermitSchema(CreatePermitSchema):
    class Meta:
        unknown = ma.EXCLUDE


def _old_name(alias: str) -> bool:
    return " ".join(normalize(alias)) in NATIONAL_OLD_NAMES


def pack_content(raw: dict) -> dict:
    try:
        data = PackPermitSchema().load(raw)
    except ma.ValidationError as exc:
        raise ValueError(f"permits.json: permit {raw.get('slug')!r} is invalid: {exc.messages}") from exc
    if "old_names" not in raw:
        aliases = data.get("aliases", [])
        data["old_names"] = [a for a in aliases if _old_name(a)]
        data["aliases"] = [a for a in aliases if not _old_name(a)]
    return {**defaults(), **clean_content(data)}


def load(pack, city) -> dict:
    document = pack.read_json("permits.json")
    summary = {"created": 0, "updated": 0, "unchanged": 0, "kept_admin_edits": 0}
    if not document:
        return summary
    existing = {p.slug: p for p in db.session.scalars(select(Permit).where(Permit.city_code == city.code))}
    for raw in document.get("permits", []):
        content = pack_content(raw)
        permit = existing.get(raw["slug"])
        if permit is None:
            permit = existing[raw["slug"]] = Permit(city_code=city.code, slug=raw["slug"], status="active")
            apply_change(permit, diff({}, content), "created", "pack", None)
            summary["created"] += 1
        elif permit.edited_by_admin:
            summary["kept_admin_edits"] += 1
        else:
            changes = diff(permit.content(), content)
            if changes:
                apply_change(permit, changes, "updated", "pack", None)
                summary["updated"] += 1
            else:
                summary["unchanged"] += 1
    if summary["created"] or summary["updated"]:
        catalog.bump(city.code)
    db.session.flush()
    return summary
