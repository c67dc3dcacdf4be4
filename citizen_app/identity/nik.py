"""NIK (Nomor Induk Kependudukan) rules: 16 digits = province(2) city(2) district(2) + DDMMYY (women: day + 40)
+ serial(4, not 0000). The prefix is where the NIK was first issued, anywhere in Indonesia, not the domicile."""

import re
from dataclasses import dataclass, field
from datetime import date

from citizen_app.regions import national

NIK_PATTERN = re.compile(r"^\d{16}$")


class NikError(ValueError):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class NikInfo:
    province_code: str
    kabupaten_kota_code: str
    kecamatan_code: str
    birth_day: int
    birth_month: int
    birth_year_2: int
    gender: str
    serial: str
    flags: tuple[str, ...] = field(default=())

    def matches_birth_date(self, birth_date: date) -> bool:
        return (birth_date.day, birth_date.month, birth_date.year % 100) == (
            self.birth_day, self.birth_month, self.birth_year_2,
        )


def parse_nik(nik: str) -> NikInfo:
    if not isinstance(nik, str) or not NIK_PATTERN.match(nik):
        raise NikError("NIK must be exactly 16 digits.")
    province = nik[0:2]
    if province not in national.provinces():
        raise NikError("NIK province code {code} does not exist.", code=province)
    kabkota = f"{nik[0:2]}.{nik[2:4]}"
    kecamatan = f"{kabkota}.{nik[4:6]}"
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    gender = "male"
    if day > 40:
        gender, day = "female", day - 40
    if not _is_valid_day(day, month, year2):
        raise NikError("NIK birth date is not a valid date.")
    serial = nik[12:16]
    if serial == "0000":
        raise NikError("NIK serial number cannot be 0000.")
    flags = ()
    if kabkota not in national.kabupaten_kota():
        # Old NIKs carry codes of regions that have since been split: accept, but flag for staff.
        flags = ("unknown_kabupaten_kota",)
    return NikInfo(province, kabkota, kecamatan, day, month, year2, gender, serial, flags)


def _is_valid_day(day: int, month: int, year2: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    # The century is unknown from the NIK; a day valid in either century (29 Feb in 2000 or 1900) is valid.
    for century in (1900, 2000):
        try:
            date(century + year2, month, day)
            return True
        except ValueError:
            continue
    return False


def check_nik(nik: str, birth_date: date, gender: str) -> NikInfo:
    info = parse_nik(nik)
    if not info.matches_birth_date(birth_date):
        raise NikError("NIK birth date does not match birth_date.")
    if info.gender != gender:
        raise NikError("NIK does not match gender (women add 40 to the day).")
    return info


def mask_nik(nik: str) -> str:
    return nik[:4] + "*" * 10 + nik[-2:]


def make_nik(kecamatan_code: str, birth_date: date, gender: str, serial: int = 1) -> str:
    """Build a NIK that passes the rules (demo accounts, tests, benchmarks)."""
    day = birth_date.day + (40 if gender == "female" else 0)
    return f"{kecamatan_code.replace('.', '')}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
