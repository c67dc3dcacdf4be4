"""What a scanner reads off a letter's QR: the text that was signed, from the PNG the API serves, with the quiet
zone ISO/IEC 18004 asks for and no bigger a symbol than the text needs."""

import base64
import io
import random

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from citizen_app.documents import qr

rng = random.Random(18004)
TEXTS = [
    *("https://layanan.kupangkota.go.id/v#" + base64.urlsafe_b64encode(rng.randbytes(n)).decode().rstrip("=")
      for n in (8, 120, 205)),
    "A" * 40, "0123456789" * 20, "http://localhost/v#" + "ab" * 90,
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_png_scans_as_the_text(text):
    image = Image.open(io.BytesIO(qr.png(text)))
    found = decode(image)
    assert [symbol.data.decode() for symbol in found] == [text]
    assert image.size == (len(qr.matrix(text)) * 6,) * 2


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_matrix_has_the_quiet_zone_and_the_fitted_version(text):
    rows = qr.matrix(text)
    size = len(rows)
    assert all(len(row) == size for row in rows)
    assert size == 17 + 4 * qr.version(text) + 2 * qr.BORDER
    edge = rows[:qr.BORDER] + rows[-qr.BORDER:] + tuple(row[:qr.BORDER] + row[-qr.BORDER:] for row in rows)
    assert not any(any(row) for row in edge)
    assert rows[qr.BORDER][qr.BORDER:qr.BORDER + 7] == (True,) * 7  # a finder pattern's top edge


def test_a_longer_text_needs_a_bigger_symbol():
    assert qr.version("http://x/v#" + "a" * 20) < qr.version("http://x/v#" + "a" * 200) <= 40
