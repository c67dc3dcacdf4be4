"""QRIS (EMVCo merchant-presented mode) payloads: TLV fields and the CRC-16/CCITT-FALSE checksum."""

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Merchant:
    gui: str  # reverse domain of the acquirer, tag 26 sub-tag 00
    merchant_id: str  # tag 26 sub-tag 02 (and the merchant PAN, sub-tag 01, when given)
    name: str
    city: str
    merchant_pan: str = ""
    nmid: str = ""  # national merchant id (tag 51), when the acquirer issued one
    criteria: str = "UKE"
    category_code: str = "7523"  # parking lots and garages
    currency: str = "360"
    country: str = "ID"
    postal_code: str = ""


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return table


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """Polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def _ascii(value: str, limit: int) -> str:
    """QRIS fields are ASCII and their lengths count characters: drop accents, keep within the limit."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(plain.split())[:limit].strip()


def tlv(tag: str, value: str) -> str:
    if not value:
        return ""
    if len(value) > 99:
        raise ValueError(f"QRIS tag {tag} value longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def build_payload(merchant: Merchant, amount: int, reference: str) -> str:
    """A dynamic (point of initiation 12) QRIS for one payment; the reference goes in tag 62."""
    if amount <= 0:
        raise ValueError("QRIS amount must be positive")
    reference = _ascii(reference, 25)
    account = tlv("00", merchant.gui) + tlv("01", merchant.merchant_pan) + tlv("02", merchant.merchant_id) \
        + tlv("03", merchant.criteria)
    national = tlv("00", "ID.CO.QRIS.WWW") + tlv("02", merchant.nmid) + tlv("03", merchant.criteria) \
        if merchant.nmid else ""
    body = "".join([
        tlv("00", "01"),
        tlv("01", "12"),
        tlv("26", account),
        tlv("51", national),
        tlv("52", merchant.category_code),
        tlv("53", merchant.currency),
        tlv("54", str(int(amount))),
        tlv("58", merchant.country),
        tlv("59", _ascii(merchant.name, 25)),
        tlv("60", _ascii(merchant.city, 15)),
        tlv("61", merchant.postal_code),
        tlv("62", tlv("01", reference) + tlv("05", reference)),
        "6304",
    ])
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse(payload: str) -> dict[str, str]:
    """Top-level tags of a payload (used to read back what we issued); raises ValueError when malformed."""
    fields, i = {}, 0
    while i < len(payload):
        if i + 4 > len(payload):
            raise ValueError("truncated QRIS field")
        tag, length = payload[i:i + 2], payload[i + 2:i + 4]
        if not length.isdigit():
            raise ValueError("bad QRIS length")
        fields[tag] = payload[i + 4:i + 4 + int(length)]
        i += 4 + int(length)
    if "63" not in fields or payload[-8:-4] != "6304":
        raise ValueError("QRIS without CRC")
    if f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}" != fields["63"].upper():
        raise ValueError("QRIS CRC mismatch")
    return fields
