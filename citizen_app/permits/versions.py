"""Turning input into permit content, and keeping every change as a version row."""

from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.permits.models import CONTENT_FIELDS, Permit, PermitVersion

LIST_FIELDS = ("aliases", "old_names", "procedure", "legal_basis")
TEXT_FIELDS = ("name", "sector", "authority", "channel", "output", "validity")


def _dedupe(values: list[str]) -> list[str]:
    seen, out = set(), []
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def clean_content(data: dict) -> dict:
    """Schema-validated input -> the stored shape (fee split in two, whitespace tidied, list repeats dropped)."""
    content = {}
    for key in TEXT_FIELDS:
        if key in data:
            content[key] = " ".join(data[key].split())
    for key in LIST_FIELDS:
        if key in data:
            content[key] = _dedupe(data[key])
    if "requirements" in data:
        content["requirements"] = [
            {"text": " ".join(r["text"].split()), "mandatory": bool(r.get("mandatory", True))}
            for r in data["requirements"] if r["text"].strip()
        ]
    if "sla_working_days" in data:
        content["sla_working_days"] = data["sla_working_days"]
    if "fee" in data:
        content["fee_amount"] = data["fee"].get("amount")
        content["fee_note"] = " ".join((data["fee"].get("note") or "").split())
    return content


def blank_fields(content: dict) -> list[str]:
    return [key for key in ("name", "sector") if key in content and not content[key]]


def diff(before: dict, after: dict) -> dict:
    return {
        key: {"from": before.get(key), "to": after[key]}
        for key in CONTENT_FIELDS
        if key in after and before.get(key) != after[key]
    }


def defaults() -> dict:
    return {"aliases": [], "old_names": [], "authority": "", "channel": "", "requirements": [], "procedure": [],
            "sla_working_days": None, "fee_amount": None, "fee_note": "", "output": "", "validity": "",
            "legal_basis": []}


def snapshot_of(permit: Permit) -> dict:
    return {"slug": permit.slug, "status": permit.status, **permit.content()}


def apply_change(permit: Permit, changes: dict, action: str, source: str, actor_id: int | None,
                 extra_changes: dict | None = None) -> PermitVersion:
    """Apply content changes, bump the version and keep the version row; the caller commits."""
    for key, change in changes.items():
        setattr(permit, key, change["to"])
    now = utcnow()
    permit.updated_at = now
    if permit.id is None:
        permit.version = 1
        permit.created_at = now
        db.session.add(permit)
        db.session.flush()
    else:
        permit.version += 1
    if source == "admin":
        permit.edited_by_admin = True
    version = PermitVersion(permit_id=permit.id, version=permit.version, action=action, source=source,
                            actor_id=actor_id, changes={**changes, **(extra_changes or {})},
                            snapshot=snapshot_of(permit), created_at=now)
    db.session.add(version)
    return version
