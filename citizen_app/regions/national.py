"""National region lists (provinces, kabupaten/kota, kecamatan) shipped with the app, for NIK checks."""

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "regions"


def _read(name: str) -> dict[str, str]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return {row["kode"]: row["nama"] for row in csv.DictReader(f)}


@cache
def provinces() -> dict[str, str]:
    return _read("provinces.csv")


@cache
def kabupaten_kota() -> dict[str, str]:
    return _read("kabupaten_kota.csv")


@cache
def kecamatan() -> dict[str, str]:
    return _read("kecamatan.csv")
