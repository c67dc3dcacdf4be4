"""The only module that draws QR codes for parking (zone signs, receipts)."""

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def png(text: str, box_size: int = 8) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()
