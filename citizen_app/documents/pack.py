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
