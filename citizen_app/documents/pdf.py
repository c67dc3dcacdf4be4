"""The letter as an A4 PDF (the only module that touches fpdf2 and fontTools).

DejaVu Sans is embedded so names beyond ASCII render (the PDF core fonts only know Latin-1). Parsing and
subsetting the full 750 KB font costs ~150 ms per PDF, so each process first cuts it once to the Latin blocks
(keeping glyph names, which spares fontTools from deriving them on every parse), and fpdf2 subsets that small font
per letter."""

import hashlib
import logging
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from citizen_app.documents import qr

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its INFO lines, per subset, cost time and say nothing

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Latin with every diacritic (incl. Vietnamese), punctuation and symbols: civil-registry names are in Latin script.
UNICODE_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x2B0, 0x2FF), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x206F),
                  (0x20A0, 0x20CF), (0x2100, 0x214F)]
_RANGES_KEY = hashlib.sha256(repr(UNICODE_RANGES).encode()).hexdigest()[:8]
_lock = threading.Lock()
_prepared: dict[str, str] = {}


def _prepare_fonts() -> dict[str, str]:
    with _lock:
        if _prepared:
            return _prepared
        from fontTools import subset
        from fontTools.ttLib import TTFont

        for style, name in FONTS.items():
            source = FONT_DIR / name
            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
            cache = Path(tempfile.gettempdir()) / f"citizen-app-fonts-{digest}-{_RANGES_KEY}"
            target = cache / name
            if not target.exists():
                cache.mkdir(parents=True, exist_ok=True)
                font = TTFont(source)
                options = subset.Options()
                options.layout_features = []
                options.hinting = False
                options.notdef_outline = True
                options.glyph_names = True
                options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "kern", "hdmx", "LTSH", "VDMX"]
                subsetter = subset.Subsetter(options)
                subsetter.populate(unicodes=[c for lo, hi in UNICODE_RANGES for c in range(lo, hi + 1)])
                subsetter.subset(font)
                tmp = cache / f".{name}.{os.getpid()}.{threading.get_ident()}"
                font.save(tmp)
                os.replace(tmp, target)
            _prepared[style] = str(target)
        return _prepared


class _Letter(FPDF):
    def __init__(self):
        super().__init__(format="A4", unit="mm")
        for style, path in _prepare_fonts().items():
            self.add_font("DejaVu", style, path)
        self.set_margins(22, 16, 22)
        self.set_auto_page_break(True, margin=16)


def _rows(pdf: FPDF, rows: list[tuple[str, str]], label_width: float = 52) -> None:
    for label, value in rows:
        pdf.set_x(pdf.l_margin + 6)
        pdf.cell(label_width, 6, label)
        pdf.cell(4, 6, ":")
        pdf.multi_cell(0, 6, value or "-", new_x="LMARGIN", new_y="NEXT")


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    modules = qr.matrix(text)
    unit = size / len(modules)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(modules):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # One rectangle per run of dark modules keeps the page small and the edges exact.
            pdf.rect(x + start * unit, y + r * unit, (c - start) * unit, unit, style="F")


def render(letter: dict) -> bytes:
    """`letter` holds the printed texts (see documents.rendering.letter_view); returns the PDF bytes."""
    pdf = _Letter()
    created: datetime = letter["issued_at"]
    pdf.set_creation_date(created)
    pdf.set_title(f"{letter['title']} {letter['number']}")
    pdf.set_author(letter["letterhead"][-1] if letter["letterhead"] else "")
    pdf.add_page()

    for i, line in enumerate(letter["letterhead"]):
        pdf.set_font("DejaVu", "B", 14 if i == 0 else 12)
        pdf.cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
    if letter.get("letterhead_note"):
        pdf.set_font("DejaVu", "", 8.5)
        pdf.cell(0, 5, letter["letterhead_note"], align="C", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 2
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, y + 1.2, pdf.w - pdf.r_margin, y + 1.2)
    pdf.set_y(y + 6)

    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, letter["title"].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10.5)
    pdf.cell(0, 6, f"Nomor: {letter['number']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.multi_cell(0, 6, letter["intro"], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    _rows(pdf, letter["identity"])
    if letter["fields"]:
        pdf.ln(2)
        pdf.multi_cell(0, 6, letter["fields_intro"], new_x="LMARGIN", new_y="NEXT")
        _rows(pdf, letter["fields"])
    pdf.ln(2)
    _rows(pdf, [(letter["purpose_label"], letter["purpose"])])
    pdf.ln(2)
    pdf.multi_cell(0, 6, letter["closing"], align="L", new_x="LMARGIN", new_y="NEXT")

    # Signature block on the right, the QR with its instructions on the left, kept together on one page.
    block_height = 62
    if pdf.get_y() + block_height > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 6
    right = pdf.w / 2 + 10
    pdf.set_xy(right, top)
    for line in (letter["place_date"], letter["signer_title"]):
        pdf.set_x(right)
        pdf.multi_cell(pdf.w - pdf.r_margin - right, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(right, top + 34)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.multi_cell(pdf.w - pdf.r_margin - right, 6, letter["signer_name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10.5)
    if letter.get("signer_nip"):
        pdf.set_x(right)
        pdf.cell(0, 6, f"NIP. {letter['signer_nip']}", new_x="LMARGIN", new_y="NEXT")

    size = 40
    _draw_qr(pdf, letter["qr_text"], pdf.l_margin, top, size)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(pdf.l_margin, top + size + 1)
    pdf.multi_cell(right - pdf.l_margin - 6, 4, letter["verify_line"], align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
