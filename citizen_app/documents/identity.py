"""The identity block printed on a letter: a snapshot of the profile, taken when the request is made or resubmitted.
The NIK is kept only as the vault's ciphertext; identity_plain opens it for those who may see it whole."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from citizen_app.cities import rows
from citizen_app.identity.vault import decrypt_nik
from citizen_app.regions.models import Kelurahan

_KELURAHAN = select(Kelurahan).options(joinedload(Kelurahan.kecamatan)).where(Kelurahan.code == bindparam("code"))


def find_kelurahan(code: str) -> Kelurahan | None:
    """A kelurahan with its kecamatan, or None (a city-pack row: cities/rows.py)."""
    return rows.kept(_KELURAHAN, {"code": code}, ("kelurahan", code))


def identity_snapshot(user, kelurahan: Kelurahan | None = None) -> dict:
    """The profile of `user` as it is now. `kelurahan` is one the caller already loaded, used if it is the user's
    home; otherwise the home kelurahan is read. The keys are the letter's contract (the PDF, the CTI, the API)."""
    if kelurahan is None or kelurahan.code != user.kelurahan_code:
        kelurahan = find_kelurahan(user.kelurahan_code) if user.kelurahan_code else None
    return {
        "full_name": user.full_name,
        "nik_encrypted": user.nik_encrypted,
        "nik_masked": user.nik_masked,
        "birth_place": user.birth_place,
        "birth_date": user.birth_date.isoformat() if user.birth_date else None,
        "gender": user.gender,
        "religion": user.religion,
        "marital_status": user.marital_status,
        "occupation": user.occupation,
        "nationality": user.nationality or "WNI",
        "address": user.address,
        "rt": user.rt,
        "rw": user.rw,
        "kelurahan_code": user.kelurahan_code,
        "kelurahan": kelurahan.name if kelurahan else None,
        "kecamatan": kelurahan.kecamatan.name if kelurahan else None,
    }


def identity_plain(snapshot: dict) -> dict:
    """The snapshot with the NIK in clear: for the owner, the serving staff and the printed letter only."""
    plain = {k: v for k, v in snapshot.items() if k not in ("nik_encrypted", "nik_masked")}
    plain["nik"] = decrypt_nik(snapshot["nik_encrypted"]) if snapshot.get("nik_encrypted") else None
    return plain
