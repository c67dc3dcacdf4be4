"""QR codes for letters (the only module that touches qrcode). Error correction M: survives a crease or a stain.

qrcode picks the mask the way ISO/IEC 18004 asks (lowest penalty of the eight), but lays out and scores all eight
symbols module by module in Python: about 20 ms a letter, half the cost of its PDF. Here the symbol is laid out
once with mask 0 and held as one integer, one bit per module; each other mask differs from it by a fixed pattern
per version (the data modules it flips, its format information), and the four penalty rules are a few dozen
whole-symbol bit operations. Same rules, same symbol as qrcode's own choice, bit for bit."""

import io
from functools import lru_cache

import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError

MAX_VERSION = 12
BORDER = 4
_FINDER_LIKE = ((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0), (0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1))  # 1:1:3:1:1 with 4 light
_DATA_BITS = {util.MODE_NUMBER: lambda n: 10 * (n // 3) + (0, 4, 7)[n % 3],
              util.MODE_ALPHA_NUM: lambda n: 11 * (n // 2) + 6 * (n % 2),
              util.MODE_8BIT_BYTE: lambda n: 8 * n}


def _code(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    code.add_data(text)
    return code


def version(text: str) -> int:
    return _fit(_code(text))


def _fit(code: qrcode.QRCode) -> int:
    """The smallest version that holds the code's data, as qrcode's best_fit finds it, but counting the bits of each
    chunk (mode, length, data) instead of writing them out one by one: a signing may ask this three times."""
    limits = util.BIT_LIMIT_TABLE[code.error_correction]
    for candidate in range(1, 41):
        lengths = util.mode_sizes_for_version(candidate)
        needed = sum(4 + lengths[chunk.mode] + _DATA_BITS[chunk.mode](len(chunk)) for chunk in code.data_list)
        if needed <= limits[candidate]:
            return candidate
    raise DataOverflowError()


@lru_cache(maxsize=256)
def matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """Modules including the quiet zone; cached because the PDF and the PNG of a letter draw the same code."""
    code = _code(text)
    code.version = _fit(code)
    code.makeImpl(False, 0)
    size = code.modules_count
    first = _bits(code.modules)
    # qrcode scores each mask with the format and version information left blank, then prints it filled in.
    _scored, printed = min(_mask_flips(code.version), key=lambda flips: penalty(first ^ flips[0], size))
    return _rows(first ^ printed, size)  # min keeps the lowest mask of a tie, as qrcode does


def _bits(modules) -> int:
    """Module (r, c) is bit r * (size + 1) + c; the extra light column keeps rows apart when bits are shifted."""
    return int("".join("".join("1" if dark else "0" for dark in row) + "0" for row in modules)[::-1], 2)


def _rows(bits: int, size: int) -> tuple[tuple[bool, ...], ...]:
    stride = size + 1
    flat = format(bits, f"0{size * stride}b")[::-1]
    blank = (False,) * (size + 2 * BORDER)
    edge = (False,) * BORDER
    body = tuple(edge + tuple(c == "1" for c in flat[r * stride:r * stride + size]) + edge for r in range(size))
    return (blank,) * BORDER + body + (blank,) * BORDER


@lru_cache(maxsize=40)  # one entry per version, 16 integers each
def _mask_flips(version_: int) -> tuple[tuple[int, int], ...]:
    """Per mask, what turns the printed mask-0 symbol into the one qrcode scores and the one it prints for that
    mask. The same for any data, so learnt once per version from an empty code."""
    code = qrcode.QRCode(version=version_, error_correction=ERROR_CORRECT_M)
    code.add_data("")
    code.makeImpl(False, 0)
    first = _bits(code.modules)
    flips = []
    for mask in range(8):
        code.makeImpl(True, mask)
        scored = _bits(code.modules)
        code.makeImpl(False, mask)
        flips.append((first ^ scored, first ^ _bits(code.modules)))
    return tuple(flips)


def penalty(bits: int, size: int) -> int:
    """ISO/IEC 18004 mask penalty (N1 = 3, N2 = 3, N3 = 40, N4 = 10) of a symbol held as `_bits` holds it."""
    stride = size + 1
    dark = bits
    light = _all_modules(size) & ~bits
    score = 0
    for step in (1, stride):  # along rows, then down columns
        for colour in (dark, light):
            # A run of n >= 5 costs n - 2: one per 5-module window in it, plus 2 where it starts.
            window = colour
            for k in range(1, 5):
                window &= colour >> (k * step)
            score += window.bit_count() + 2 * (window & ~(colour << step)).bit_count()
        for pattern in _FINDER_LIKE:
            found = -1
            for k, is_dark in enumerate(pattern):
                found &= (dark if is_dark else light) >> (k * step)
            score += 40 * found.bit_count()
    for colour in (dark, light):
        score += 3 * (colour & colour >> 1 & colour >> stride & colour >> (stride + 1)).bit_count()
    share = dark.bit_count() * 100 / size ** 2
    return score + int(abs(share - 50) / 5) * 10


@lru_cache(maxsize=8)
def _all_modules(size: int) -> int:
    row = (1 << size) - 1
    return sum(row << (r * (size + 1)) for r in range(size))


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
