"""QR codes for letters (the only module that touches qrcode). Error correction M: survives a crease or a stain."""

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

MAX_VERSION = 12


def _code(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    return code


def version(text: str) -> int:
    return _code(text).best_fit()


@lru_cache(maxsize=256)
def matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """Modules including the quiet zone; cached because the PDF and the PNG of a letter draw the same code."""
    code = _code(text)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def png(text: str, scale: int = 6) -> bytes:
    from PIL import Image

    rows = matrix(text)
    size = len(rows)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    image = image.resize((size * scale, size * scale), Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
