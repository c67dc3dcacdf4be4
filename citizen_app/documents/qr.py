"""QR codes for letters (the only module that touches qrcode). Error correction M: survives a crease or a stain.
The symbol is qrcode's own (its version fit and mask choice); the PDF draws its matrix, the API serves its PNG."""

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

MAX_VERSION = 12  # the largest symbol a letter carries (docs/signed-qr.md): issuing.sign keeps within it
BORDER = 4  # the quiet zone ISO/IEC 18004 asks for


def _code(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    code.add_data(text)
    return code


def version(text: str) -> int:
    """The smallest version that holds `text` (qrcode's fit, without laying the symbol out)."""
    return _code(text).best_fit()


# A pure function of the text, and a letter's PDF and PNG draw the same code: laying it out and choosing its mask
# is qrcode's slowest step, so it is done once per text. The rows are tuples, so a cached answer can't be changed.
@lru_cache(maxsize=256)
def matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The symbol's modules, quiet zone included, row by row (True is dark)."""
    code = _code(text)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def png(text: str, scale: int = 6) -> bytes:
    """The symbol as a black-and-white PNG, `scale` pixels a module."""
    from PIL import Image

    rows = matrix(text)
    size = len(rows)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    image = image.resize((size * scale, size * scale), Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
