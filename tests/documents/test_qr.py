"""The fast mask choice in documents.qr must print exactly the symbol qrcode itself would (its penalty rules,
its choice), for the signed-letter payloads and for structured data where the masks score far apart."""

import base64
import random

import pytest
import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError

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


@pytest.mark.parametrize("length", [1, 14, 15, 100, 213, 214, 262, 263, 287, 331, 1100])
@pytest.mark.parametrize("alphabet", ["0123456789", "ABCDEFGHIJ0123 $%*+-./:", "abcdef/#_-", "é"])
def test_version_is_qrcode_best_fit(alphabet, length):
    text = "".join(rng.choice(alphabet) for _ in range(length))
    code = qr._code(text)
    assert qr.version(text) == code.best_fit()


def test_version_refuses_what_no_version_holds():
    text = "é" * 1200
    with pytest.raises((DataOverflowError, ValueError)):  # qrcode itself trips on "version 41"
        qr._code(text).best_fit()
    with pytest.raises(DataOverflowError):
        qr.version(text)
