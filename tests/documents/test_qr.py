"""The fast mask choice in documents.qr must print exactly the symbol qrcode itself would (its penalty rules,
its choice), for the signed-letter payloads and for structured data where the masks score far apart."""

import base64
import random

import pytest
import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from citizen_app.documents import qr

rng = random.Random(18004)
TEXTS = [
    *("https://layanan.kupangkota.go.id/v#" + base64.urlsafe_b64encode(rng.randbytes(n)).decode().rstrip("=")
      for n in (8, 60, 120, 150, 190, 205)),
    "A" * 40, "0123456789" * 20, "http://localhost/v#" + "ab" * 90, "Ñoño Ŝŭ Đặng " * 10,
]


def reference(text: str) -> tuple[tuple[bool, ...], ...]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_matrix_is_the_symbol_qrcode_makes(text):
    assert qr.matrix(text) == reference(text)


@pytest.mark.parametrize("text", TEXTS[3:8], ids=range(3, 8))
def test_penalty_is_the_iso_score_of_every_mask(text):
    code = qr._code(text)
    code.best_fit()
    scores = set()
    for mask in range(8):
        for blank_format in (True, False):
            code.makeImpl(blank_format, mask)
            expected = util.lost_point(code.modules)
            assert qr.penalty(qr._bits(code.modules), code.modules_count) == expected, (mask, blank_format)
            scores.add(expected)
    assert len(scores) > 2  # the masks really do score differently, so the choice is being tested
