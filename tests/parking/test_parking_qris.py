import binascii

import pytest

from citizen_app.parking import qris

MERCHANT = qris.Merchant(gui="ID.CO.BANKNTT.WWW", merchant_id="936001234567890", name="RETRIBUSI PARKIR KUPANG",
                         city="KOTA KUPANG", nmid="ID1020304050607")


def tlv_parse(text: str) -> list[tuple[str, str]]:
    """An independent reader: tag(2) length(2) value, repeated, nothing left over."""
    out, pos = [], 0
    while pos < len(text):
        tag, size = text[pos:pos + 2], int(text[pos + 2:pos + 4])
        value = text[pos + 4:pos + 4 + size]
        assert len(value) == size, f"tag {tag} truncated"
        out.append((tag, value))
        pos += 4 + size
    assert pos == len(text)
    return out


def crc_ok(payload: str) -> bool:
    return f"{binascii.crc_hqx(payload[:-4].encode('ascii'), 0xFFFF):04X}" == payload[-4:]


def test_payload_fields_and_crc():
    payload = qris.build_payload(MERCHANT, 5000, "PK261123ABCDE12345")
    fields = tlv_parse(payload)
    tags = [t for t, _ in fields]
    assert tags[:2] == ["00", "01"] and tags[-1] == "63"
    assert tags == sorted(tags)  # EMVCo: ascending tag order
    top = dict(fields)
    assert top["00"] == "01" and top["01"] == "12"
    assert dict(tlv_parse(top["26"])) == {"00": "ID.CO.BANKNTT.WWW", "02": "936001234567890", "03": "UKE"}
    assert dict(tlv_parse(top["51"]))["00"] == "ID.CO.QRIS.WWW"
    assert (top["52"], top["53"], top["54"], top["58"]) == ("7523", "360", "5000", "ID")
    assert top["59"] == "RETRIBUSI PARKIR KUPANG" and top["60"] == "KOTA KUPANG"
    assert dict(tlv_parse(top["62"])) == {"01": "PK261123ABCDE12345", "05": "PK261123ABCDE12345"}
    assert payload[-8:-4] == "6304" and len(top["63"]) == 4 and top["63"] == top["63"].upper()
    assert crc_ok(payload)
    assert qris.parse(payload)["54"] == "5000"


def test_long_names_are_cut_to_the_limits_and_kept_ascii():
    merchant = qris.Merchant(gui="ID.CO.X.WWW", merchant_id="1", name="Retribusi Parkir Kota Kupang Nusa Tenggara",
                             city="Kota Kupang Nusa Tenggara Timur")
    top = dict(tlv_parse(qris.build_payload(merchant, 2000, "R1")))
    assert len(top["59"]) <= 25 and len(top["60"]) <= 15
    accented = qris.Merchant(gui="ID.CO.X.WWW", merchant_id="1", name="Café Parkir", city="Kupang")
    payload = qris.build_payload(accented, 2000, "R1")
    assert dict(tlv_parse(payload))["59"] == "Cafe Parkir" and crc_ok(payload)


def test_crc_matches_a_published_qris_sample():
    # From the README of github.com/sunary/qris (a dynamic QRIS decoded by that library).
    sample = ("00020101021226380016ID.CO.SHOPEE.WWW010201020815863724530336054061440005802ID5921PT. SHOPPEE "
              "INDONESIA6007JAKARTA62180814gen by go-qris63049635")
    assert f"{qris.crc16_ccitt_false(sample[:-4].encode()):04X}" == "9635"
    assert qris.parse(sample)["59"] == "PT. SHOPPEE INDONESIA"
    assert qris.crc16_ccitt_false(b"123456789") == 0x29B1  # the CRC-16/CCITT-FALSE check value


def test_corruption_is_detected():
    payload = qris.build_payload(MERCHANT, 5000, "R1")
    with pytest.raises(ValueError):
        qris.parse(payload.replace("5000", "9000"))
    with pytest.raises(ValueError):
        qris.parse(payload[:-4])
    with pytest.raises(ValueError):
        qris.build_payload(MERCHANT, 0, "R1")
