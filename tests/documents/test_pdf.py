"""The printed letter: render the PDF like a printer would, read the QR like a phone would, and check the signature
with nothing but the published trust list, `cryptography` and `cbor2` (no project code)."""

import base64
import io
import shutil
import subprocess

import cbor2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from PIL import Image
from pypdf import PdfReader

from tests.documents.conftest import OTHER

TOOLS = shutil.which("pdftoppm") and shutil.which("zbarimg")
needs_tools = pytest.mark.skipif(not TOOLS, reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)")
HOLDER = "Ñoño Ŝŭ Đặng"


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rasterise(pdf: bytes, tmp_path, dpi: int) -> Image.Image:
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / f"p{dpi}")],
                   check=True, timeout=60)
    return Image.open(next(tmp_path.glob(f"p{dpi}*.png")))


def zbar(image_path) -> str:
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def verify_with_trust_list(text: str, trust: dict) -> dict:
    """An outside verifier: COSE_Sign1 / ES256 per RFC 9052, keys from the trust list JSON only."""
    outer = cbor2.loads(unb64(text.split("#", 1)[1]))
    assert outer.tag == 18
    protected, _unprotected, payload, signature = outer.value
    header = cbor2.loads(protected)
    assert header[1] == -7
    kid = base64.urlsafe_b64encode(header[4]).rstrip(b"=").decode()
    jwk = next(k for k in trust["keys"] if k["kid"] == kid)
    x, y = (int.from_bytes(unb64(jwk[c]), "big") for c in ("x", "y"))
    public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, to_be_signed, ec.ECDSA(hashes.SHA256()))  # raises InvalidSignature if forged
    with pytest.raises(InvalidSignature):
        public.verify(der, to_be_signed + b"x", ec.ECDSA(hashes.SHA256()))
    return cbor2.loads(payload)


def symbol_version_and_ec(image: Image.Image) -> tuple[int, str]:
    """Read the printed symbol's size from its timing pattern and its error-correction level from the format
    information (ISO/IEC 18004), independently of any QR library's idea of what it encoded."""
    from pyzbar.pyzbar import ZBarSymbol, decode

    grey = image.convert("L")
    found = decode(grey, symbols=[ZBarSymbol.QRCODE])
    assert len(found) == 1
    xs = [p.x for p in found[0].polygon]
    ys = [p.y for p in found[0].polygon]
    left, top, width = min(xs), min(ys), max(xs) - min(xs)
    dark = lambda x, y: grey.getpixel((int(x), int(y))) < 128  # noqa: E731
    while not dark(left, top + 3):
        left += 1
    while dark(left - 1, top + 3):
        left -= 1
    while not dark(left + 3, top):
        top += 1
    while dark(left + 3, top - 1):
        top -= 1
    run = 0
    while dark(left + run, top + 2):
        run += 1
    module = run / 7  # the finder's top edge is seven dark modules, then the light separator
    y = top + 6.5 * module  # row 6: finder edge, separator, the alternating timing pattern, separator, finder edge
    runs, previous = 0, False
    for x in range(int(left), int(left + width + module)):
        now = dark(x, y)
        runs += now and not previous
        previous = now
    size = 2 * (runs - 2) + 15
    version = (size - 17) // 4
    assert size == 17 + 4 * version
    module = width / size
    cell = lambda r, c: dark(left + (c + 0.5) * module, top + (r + 0.5) * module)  # noqa: E731
    bits = 0
    for i, (r, c) in enumerate([(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8), (8, 7), (8, 5),
                                (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)]):
        bits |= cell(r, c) << i
    level = {0: "M", 1: "L", 2: "H", 3: "Q"}[((bits ^ 0x5412) >> 13) & 3]
    return version, level


@needs_tools
def test_printed_qr_decodes_and_verifies_with_only_the_trust_list(flow, tmp_path):
    resident = flow.resident(full_name=HOLDER)
    _, rid, body = flow.signed(resident)
    res = flow.get(resident, rid, "/pdf")
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    image = rasterise(res.data, tmp_path, 150)
    assert abs(image.width - 1240) <= 2 and abs(image.height - 1754) <= 2  # A4 at 150 dpi

    text = zbar(next(tmp_path.glob("p150*.png")))
    assert text == body["letter"]["qr_text"] and text.startswith("http://localhost/v#")
    trust = flow.client.get("/api/v1/documents/trust-list").json
    claims = verify_with_trust_list(text, trust)
    assert claims[-2] == body["letter"]["number"] and claims[-3] == OTHER and claims[1] == trust["issuer"]
    assert trust["letter_types"][claims[-1]] == "Surat Keterangan Domisili"
    assert claims[-5] == "Ño*** Ŝ*** Đặ***"

    version, level = symbol_version_and_ec(rasterise(res.data, tmp_path, 300))
    assert version <= 12 and level in ("M", "Q", "H"), (version, level)


def test_pdf_is_an_a4_letter_with_everything_on_it(app, flow):
    resident = flow.resident(full_name=HOLDER)
    lurah = flow.staff("lurah", full_name="Drs. Yakobus Tefa", nip="197512312000031002", title="Lurah")
    _, rid, body = flow.signed(resident, lurah=lurah)
    res = flow.get(resident, rid, "/pdf")
    assert res.headers["Content-Disposition"].startswith("inline;")
    reader = PdfReader(io.BytesIO(res.data))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    text = " ".join(p.extract_text() for p in reader.pages)
    for expected in ("PEMERINTAH KOTA KUPANG", "KECAMATAN ALAK", "KELURAHAN NAMOSAIN", "SURAT KETERANGAN DOMISILI",
                     body["letter"]["number"], HOLDER, resident.nik_plain, "Kupang", "Kristen", "Belum Kawin",
                     "Jl. El Tari 3", "RT 004/RW 002", "Tinggal sejak", "1 Juli 2015", "Melamar pekerjaan",
                     "berlaku sampai dengan", "Drs. Yakobus Tefa", "NIP. 197512312000031002", "Lurah Namosain",
                     "memindai kode QR"):
        assert expected in text, expected
    fonts = {str(f.get("/BaseFont")) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("DejaVu" in f for f in fonts), fonts  # embedded Unicode font, not a core font


def test_pdf_and_qr_are_for_the_owner_and_the_serving_office_only(flow):
    resident, rid, _ = flow.signed()
    assert flow.get(resident, rid, "/pdf").status_code == 200
    assert flow.get(flow.staff("clerk"), rid, "/pdf").status_code == 200
    assert flow.get(flow.staff("lurah"), rid, "/qr.png").status_code == 200
    assert flow.get(flow.resident(), rid, "/pdf").status_code == 404
    assert flow.get(flow.staff("clerk", kelurahan="53.71.05.1005"), rid, "/pdf").status_code == 403
    png = flow.get(resident, rid, "/qr.png")
    assert png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"


@needs_tools
def test_qr_png_decodes_to_the_letter_text(flow, tmp_path):
    resident, rid, body = flow.signed()
    path = tmp_path / "qr.png"
    path.write_bytes(flow.get(resident, rid, "/qr.png").data)
    assert zbar(path) == body["letter"]["qr_text"]


@needs_tools
def test_long_texts_wrap_inside_the_margins(flow, tmp_path):
    """Paragraphs, values and the signer's title wrap on their own; a word longer than a line is broken too."""
    address = "Jl. Perumahan Griya Permai Blok C Nomor 17 " * 4 + "Ŝ" * 60
    purpose = "Persyaratan pendaftaran beasiswa pendidikan tinggi dan administrasi kependudukan keluarga " * 3
    lurah = flow.staff("lurah", full_name="Drs. Yakobus Tefa",
                       title="Lurah Namosain Kecamatan Alak Kota Kupang Provinsi Nusa Tenggara Timur")
    resident = flow.resident(full_name=HOLDER, address=address)
    _, rid, _ = flow.signed(resident, lurah=lurah, purpose=purpose.strip())
    res = flow.get(resident, rid, "/pdf")
    squeezed = "".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(res.data)).pages).split())
    for expected in (address, purpose, "Lurah Namosain Kecamatan Alak Kota Kupang Provinsi Nusa Tenggara Timur"):
        assert "".join(expected.split()) in squeezed, expected
    image = rasterise(res.data, tmp_path, 100).convert("L")
    right_margin = round((210 - 22 + 0.5) / 25.4 * 100)  # A4 width, 22 mm margins, at 100 dpi
    assert image.crop((right_margin, 0, image.width, image.height)).getextrema()[0] > 128  # no ink beyond it
