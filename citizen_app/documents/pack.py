"""letters.json of a city pack -> letter_types (Ternate and any city without its own file get Kupang's)."""

from sqlalchemy import select

from citizen_app.documents.models import LetterType
from citizen_app.extensions import db

FIELD_TYPES = ("string", "text", "integer", "date")


def _definition(entry: dict, position: int) -> dict:
    fields = []
    for field in entry.get("fields", []):
        if field.get("type") not in FIELD_TYPES:
            raise ValueError(f"letter type {entry['code']}: field {field.get('name')!r} has unknown type")
        fields.append({"name": field["name"], "type": field["type"], "required": bool(field.get("required")),
                       "label": field.get("label") or field["name"].replace("_", " ").capitalize()})
    return {
        "name": entry["name"],
        "description": entry.get("description", ""),
        "classification": str(entry["classification"]),
        "validity_days": int(entry.get("validity_days", 30)),
        "any_kelurahan": bool(entry.get("any_kelurahan", True)),
        "fields": fields,
        "requirements": list(entry.get("requirements", [])),
        "position": position,
    }


def load(pack, city) -> dict:
    data = pack.read_json("letters.json") or {"letters": []}
    existing = {t.code: t for t in db.session.scalars(select(LetterType).where(LetterType.city_code == city.code))}
    seen = set()
    for position, entry in enumerate(data["letters"]):
        definition = _definition(entry, position)
        row = existing.get(entry["code"])
        if row is None:
            row = LetterType(city_code=city.code, code=entry["code"])
            db.session.add(row)
        for key, value in definition.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
        row.active = True
        seen.add(entry["code"])
    # A type dropped from the pack stays for the letters already issued under it, but can't be requested.
    for code, row in existing.items():
        if code not in seen and row.active:
            row.active = False
    db.session.flush()
    return {"letter_types": len(seen)}


def demo(accounts: dict) -> list[str]:
    """Two letters in flight for `make run`: one asked at another kelurahan (clerk2's queue), one approved at home
    and waiting for lurah1 to sign."""
    from citizen_app.cities.services import current_city_code
    from citizen_app.documents.identity import identity_snapshot
    from citizen_app.documents.models import LetterRequest
    from citizen_app.documents.workflow import log_event, tracking_code

    resident = accounts["resident"]
    letter_type = db.session.scalar(select(LetterType).where(LetterType.code == "domisili",
                                                             LetterType.city_code == current_city_code()))
    if letter_type is None:
        return []
    made = []
    for clerk, steps in ((accounts["clerk2"], ()), (accounts["clerk1"], ("review", "approve"))):
        req = LetterRequest(tracking_code=tracking_code(), resident_id=resident.id, letter_type_id=letter_type.id,
                            type_code=letter_type.code, home_kelurahan_code=resident.kelurahan_code,
                            service_kelurahan_code=clerk.kelurahan_code, purpose="Melamar pekerjaan",
                            fields={"rt": resident.rt or "001", "rw": resident.rw or "001"},
                            identity=identity_snapshot(resident), status="submitted")
        db.session.add(req)
        db.session.flush()
        log_event(resident, req, "submit", None, "submitted", None)
        for action, status in zip(steps, ("in_review", "approved"), strict=False):
            log_event(clerk, req, action, req.status, status, None)
            req.status = status
        made.append(req)
    return [f"Letters: {made[0].tracking_code} waits in clerk2's queue; {made[1].tracking_code} is approved and "
            f"waits for lurah1 to sign."]
