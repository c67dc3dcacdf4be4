"""A city is a data pack: citizen_app/data/cities/<code>/ (city.json, kelurahan.csv, and optional
letters.json, permits.json, parking.json). Missing optional files fall back to the national defaults."""

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

CITIES_DIR = Path(__file__).resolve().parent.parent / "data" / "cities"
DEFAULTS_DIR = CITIES_DIR / "kupang"  # the Kupang files are the national defaults (data/README.md)
CITY_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


class UnknownCity(ValueError):
    pass


@dataclass(frozen=True)
class CityPack:
    code: str
    directory: Path

    @classmethod
    def named(cls, code: str, base: Path = CITIES_DIR) -> "CityPack":
        directory = base / code
        if not CITY_CODE.match(code) or not (directory / "city.json").is_file():
            known = ", ".join(sorted(p.name for p in base.iterdir() if (p / "city.json").is_file()))
            raise UnknownCity(f"no city pack {code!r} (known: {known})")
        return cls(code, directory)

    @property
    def profile(self) -> dict:
        return json.loads((self.directory / "city.json").read_text(encoding="utf-8"))

    def kelurahan_rows(self) -> list[dict]:
        with open(self.directory / "kelurahan.csv", newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    def has(self, name: str) -> bool:
        return (self.directory / name).is_file()

    def read_json(self, name: str, *, fallback_to_default: bool = True) -> dict | None:
        """The pack's own file, else the national default, else None."""
        for directory in (self.directory, DEFAULTS_DIR if fallback_to_default else None):
            if directory is not None and (directory / name).is_file():
                return json.loads((directory / name).read_text(encoding="utf-8"))
        return None
