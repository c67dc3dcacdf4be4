"""The letter-type catalogue of the current city (from its pack's letters.json) and the check of a type's fields."""

from datetime import date

from sqlalchemy import bindparam, select

from citizen_app.cities import rows
from citizen_app.cities.services import current_city_code
from citizen_app.documents import messages  # noqa: F401 - registers the Bahasa Indonesia messages
from citizen_app.documents.models import LetterType
from citizen_app.errors import ValidationFailed, field_error
from citizen_app.i18n import translate

STRING_MAX, TEXT_MAX = 200, 2000
INTEGER_MAX = 10**12


def catalogue_query():
    """The requestable types of the current city, in the pack's order."""
    return (select(LetterType).where(LetterType.city_code == current_city_code(), LetterType.active.is_(True))
            .order_by(LetterType.position, LetterType.code))


_LETTER_TYPE = select(LetterType).where(LetterType.city_code == bindparam("city"), LetterType.code == bindparam("code"),
                                       LetterType.active.is_(True))


def letter_type(code: str) -> LetterType:
    """The current city's active type `code`; a type dropped from the pack can't be requested (422)."""
    city = current_city_code()
    found = rows.kept(_LETTER_TYPE, {"city": city, "code": code}, ("letter_type", city, code))
    if found is None:
        raise field_error("type_code", "Unknown letter type.")
    return found


def validate_fields(letter_type: LetterType, values: dict) -> dict:
    """The type's own fields, checked against its definition in the city pack; the cleaned values, or 422 with
    every problem under `fields`."""
    errors, clean = {}, {}
    known = {f["name"]: f for f in letter_type.fields}
    for name in values:
        if name not in known:
            errors[name] = [translate("Unknown field.")]
    for name, spec in known.items():
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec["required"]:
                errors[name] = [translate("Missing data for required field.")]
            continue
        problem, value = _check_value(spec["type"], value)
        if problem:
            errors[name] = [translate(problem)]
        else:
            clean[name] = value
    if errors:
        raise ValidationFailed({"fields": errors})
    return clean


def _check_value(kind: str, value):
    """(problem, None) or (None, the value as stored): strings stripped, dates as YYYY-MM-DD."""
    if kind in ("string", "text"):
        limit = STRING_MAX if kind == "string" else TEXT_MAX
        if not isinstance(value, str):
            return "Not a valid string.", None
        value = value.strip()
        if len(value) > limit:
            return f"Longer than maximum length {limit}.", None
        return None, value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "Not a valid integer.", None
        if not 0 <= value <= INTEGER_MAX:
            return f"Must be greater than or equal to 0 and less than or equal to {INTEGER_MAX}.", None
        return None, value
    if kind == "date":
        if not isinstance(value, str) or len(value) != 10:
            return "Not a valid date.", None
        try:
            return None, date.fromisoformat(value).isoformat()
        except ValueError:
            return "Not a valid date.", None
    return "Invalid value.", None
