"""The printed letter: what goes on the page, in Bahasa Indonesia, from the record frozen at signing."""

from datetime import date, datetime
from urllib.parse import urlsplit

from citizen_app.cities.services import city_tz
from citizen_app.common.time import as_utc
from citizen_app.documents import pdf, qr
from citizen_app.documents.identity import identity_plain
from citizen_app.documents.models import IssuedLetter, LetterRequest
from citizen_app.documents.workflow import get_request, get_request_papers
from citizen_app.errors import Conflict
from citizen_app.identity.models import User

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
GENDERS = {"male": "Laki-laki", "female": "Perempuan"}


def long_date(value: date | datetime | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(city_tz()).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _field_value(kind: str, value) -> str:
    if value is None or value == "":
        return "-"
    if kind == "date":
        return long_date(value)
    if kind == "integer":
        return f"{value:,}".replace(",", ".")
    return str(value)


def letter_view(letter: IssuedLetter, req: LetterRequest) -> dict:
    who = identity_plain(req.identity)
    address = who.get("address") or "-"
    if who.get("rt") or who.get("rw"):
        address = f"{address}, RT {who.get('rt') or '-'}/RW {who.get('rw') or '-'}"
    birth = ", ".join(x for x in (who.get("birth_place"), long_date(who.get("birth_date"))
                                  if who.get("birth_date") else None) if x) or "-"
    identity = [
        ("Nama", who["full_name"]), ("NIK", who.get("nik") or "-"), ("Tempat/Tanggal Lahir", birth),
        ("Jenis Kelamin", GENDERS.get(who.get("gender"), who.get("gender") or "-")),
        ("Agama", who.get("religion") or "-"), ("Status Perkawinan", who.get("marital_status") or "-"),
        ("Pekerjaan", who.get("occupation") or "-"), ("Kewarganegaraan", who.get("nationality") or "-"),
        ("Alamat", address), ("Kelurahan", who.get("kelurahan") or "-"), ("Kecamatan", who.get("kecamatan") or "-"),
    ]
    specs = {f["name"]: f for f in req.letter_type.fields}
    fields = [(specs[name]["label"] if name in specs else name, _field_value(specs.get(name, {}).get("type"), value))
              for name, value in req.fields.items()]
    host = urlsplit(letter.qr_text).netloc or "aplikasi layanan kota"
    signer_line = letter.signer_title
    return {
        "letterhead": letter.letterhead,
        "title": letter.type_name,
        "number": letter.number,
        "intro": f"Yang bertanda tangan di bawah ini, {signer_line}, menerangkan bahwa:",
        "identity": identity,
        "fields_intro": "Dengan keterangan sebagai berikut:",
        "fields": fields,
        "purpose_label": "Keperluan",
        "purpose": req.purpose,
        "closing": (f"Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana mestinya. Surat ini "
                    f"berlaku sampai dengan {long_date(letter.valid_until)}."),
        "place_date": f"{letter.place}, {long_date(letter.issued_at)}",
        "signer_title": signer_line,
        "signer_name": letter.signer_name,
        "signer_nip": letter.signer_nip,
        "qr_text": letter.qr_text,
        "verify_line": (f"Dokumen ini ditandatangani secara elektronik. Periksa keasliannya dengan memindai kode QR "
                        f"ini dengan kamera ponsel, atau di {host}/v."),
        "issued_at": as_utc(letter.issued_at),
    }


def _signed(actor: User, request_id: int, *, papers: bool = False) -> tuple[IssuedLetter, LetterRequest]:
    req = (get_request_papers if papers else get_request)(actor, request_id)
    if req.letter is None:
        raise Conflict("The letter is not signed yet.")
    return req.letter, req


def letter_pdf(actor: User, request_id: int) -> tuple[bytes, str]:
    letter, req = _signed(actor, request_id, papers=True)
    return pdf.render(letter_view(letter, req)), f"surat-{req.tracking_code}.pdf"


def letter_qr_png(actor: User, request_id: int) -> bytes:
    letter, _req = _signed(actor, request_id)
    return qr.png(letter.qr_text)
