from datetime import date

import pytest

from citizen_app.identity.nik import NikError, check_nik, make_nik, mask_nik, parse_nik


def test_male_nik_parses_region_birth_date_and_serial():
    info = parse_nik("5371051403850001")
    assert (info.province_code, info.kabupaten_kota_code, info.kecamatan_code) == ("53", "53.71", "53.71.05")
    assert (info.birth_day, info.birth_month, info.birth_year_2, info.gender) == (14, 3, 85, "male")
    assert info.serial == "0001" and info.flags == ()


def test_female_day_carries_plus_forty():
    info = parse_nik("5371055403850002")
    assert info.gender == "female" and info.birth_day == 14


@pytest.mark.parametrize("nik, message", [
    ("537105140385001", "NIK must be exactly 16 digits."),
    ("53710514038500012", "NIK must be exactly 16 digits."),
    ("53710514038500a1", "NIK must be exactly 16 digits."),
    ("5371051403850000", "NIK serial number cannot be 0000."),
    ("9971051403850001", "NIK province code {code} does not exist."),
    ("5371053202850001", "NIK birth date is not a valid date."),  # 32 Feb
    ("5371057102850001", "NIK birth date is not a valid date."),  # woman, day 31 in February
    ("5371051413850001", "NIK birth date is not a valid date."),  # month 13
    ("5371050003850001", "NIK birth date is not a valid date."),  # day 0
])
def test_invalid_niks_are_refused_with_reason(nik, message):
    with pytest.raises(NikError) as err:
        parse_nik(nik)
    assert err.value.message == message


def test_leap_day_valid_in_some_century():
    assert parse_nik("5371052902000001").birth_day == 29  # 29 Feb 2000


def test_unknown_kabupaten_is_accepted_but_flagged():
    # 53.99 is not a kabupaten/kota code: old NIKs carry codes of regions since split.
    info = parse_nik("5399051403850001")
    assert info.flags == ("unknown_kabupaten_kota",)


def test_nik_must_agree_with_birth_date_and_gender():
    assert check_nik("5371051403850001", date(1985, 3, 14), "male").gender == "male"
    with pytest.raises(NikError, match="birth_date"):
        check_nik("5371051403850001", date(1985, 3, 15), "male")
    with pytest.raises(NikError, match="gender"):
        check_nik("5371051403850001", date(1985, 3, 14), "female")


def test_make_and_mask():
    nik = make_nik("53.71.05", date(1990, 8, 17), "female", 12)
    assert nik == "5371055708900012"
    assert check_nik(nik, date(1990, 8, 17), "female")
    assert mask_nik(nik) == "5371**********12"
