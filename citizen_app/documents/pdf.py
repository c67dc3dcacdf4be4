"""The letter as an A4 PDF (the only module that touches fpdf2 and fontTools).

DejaVu Sans is embedded so names beyond ASCII render (the PDF core fonts only know Latin-1). Parsing the whole
750 KB font for every letter costs far more than drawing it, so each letter gets a small cut of DejaVu: ASCII plus
whatever other characters that letter uses. Cuts are cached on disk by character set, so the usual letter (or the
next one for the same name) parses a ~100-glyph font, and any character DejaVu has still renders."""

import hashlib
import logging
import os
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import RenderStyle

from citizen_app.documents import qr

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its INFO lines, per subset, cost time and say nothing

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
BASE_CHARS = frozenset(chr(c) for c in (*range(0x20, 0x7F), 0xA0, 0x2013, 0x2014, 0x2019, 0x201C, 0x201D, 0x2026))
CACHE_DIR = Path(tempfile.gettempdir()) / "citizen-app-fonts"
CUT_OPTIONS = "v2"  # part of a cut's file name: a change in how cuts are made must not reuse older ones
_lock = threading.Lock()
_paths: dict[tuple[str, str], str] = {}
_digests: dict[str, str] = {}


def _font_path(style: str, extra: str) -> str:
    """A cut of DejaVu (style "" or "B") with ASCII and the `extra` characters, made once per character set."""
    known = _paths.get((style, extra))
    if known:
        return known
    from fontTools import subset
    from fontTools.ttLib import TTFont

    with _lock:
        source = FONT_DIR / FONTS[style]
        if style not in _digests:
            _digests[style] = hashlib.sha256(source.read_bytes()).hexdigest()
        key = hashlib.sha256(f"{_digests[style]}|{CUT_OPTIONS}|{extra}".encode()).hexdigest()[:24]
        target = CACHE_DIR / f"{source.stem}-{key}.ttf"
        if not target.exists():
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            font = TTFont(source)
            options = subset.Options()
            options.layout_features = []
            options.hinting = False
            options.notdef_outline = True
            options.glyph_names = True  # spares fontTools deriving names from the cmap on every parse
            # Tables a PDF viewer never reads: each one left in is parsed, subset and written again for every letter.
            options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "kern", "hdmx", "LTSH", "VDMX", "MATH", "gasp"]
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=sorted({ord(c) for c in BASE_CHARS | set(extra)}))
            subsetter.subset(font)
            tmp = CACHE_DIR / f".{target.name}.{os.getpid()}.{threading.get_ident()}"
            font.save(tmp)
            os.replace(tmp, target)
        if len(_paths) > 1024:
            _paths.clear()
        _paths[(style, extra)] = str(target)
        return str(target)


def _texts(letter: dict) -> list[str]:
    texts = [*letter["letterhead"], letter["title"], letter["title"].upper(), f"Nomor: {letter['number']}",
             letter["intro"], letter["fields_intro"], letter["purpose_label"], letter["purpose"], letter["closing"],
             letter["place_date"], letter["signer_title"], letter["signer_name"], letter.get("signer_nip") or "",
             letter["verify_line"], letter.get("letterhead_note") or "", ":", "-"]
    for label, value in (*letter["identity"], *letter["fields"]):
        texts += [label, value or "-"]
    return texts


class _Letter(FPDF):
    def __init__(self, chars: set[str]):
        super().__init__(format="A4", unit="mm")
        extra = "".join(sorted(c for c in chars - BASE_CHARS if c.isprintable()))
        for style in FONTS:
            self.add_font("DejaVu", style, _font_path(style, extra))
        for font in self.fonts.values():
            # The cut's bounding boxes are already right; recomputing them on save would decode and re-encode every
            # glyph, which was ~40% of the time spent on a letter.
            font.ttfont.recalcBBoxes = False
        self.set_margins(22, 16, 22)
        self.set_auto_page_break(True, margin=16)


def _rows(pdf: FPDF, rows: list[tuple[str, str]], label_width: float = 52) -> None:
    for label, value in rows:
        pdf.set_x(pdf.l_margin + 6)
        pdf.cell(label_width, 6, label)
        pdf.cell(4, 6, ":")
        _text(pdf, 0, 6, value or "-")


def _text(pdf: FPDF, width: float, height: float, text: str) -> None:
    """Left-aligned text that wraps within `width` (0: up to the right margin), then on to the next line."""
    x = pdf.get_x()
    lines = _wrap(pdf, text, (width or pdf.w - pdf.r_margin - x) - 2 * pdf.c_margin)
    if lines is None:
        pdf.multi_cell(width, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
        return
    for line in lines:
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x="LMARGIN", new_y="NEXT")


def _wrap(pdf: FPDF, text: str, room: float) -> list[str] | None:
    """Lines filled word by word. fpdf2's multi_cell costs as much per paragraph as a dozen plain cells; since the
    cut has no kerning, a line's width is the sum of its words' and spaces', each measured once. None (fpdf2 breaks
    it) for what needs more than spaces: a word wider than the line, or line breaks of its own."""
    if "\n" in text:
        return None
    space = pdf.get_string_width(" ")
    lines, line, used = [], [], 0.0
    for word in text.split(" "):
        size = pdf.get_string_width(word)
        if size > room:
            return None
        if line and used + space + size > room:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += size + (space if line else 0.0)
        line.append(word)
    lines.append(" ".join(line))
    return lines


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    modules = qr.matrix(text)
    unit = size / len(modules)
    pdf.set_fill_color(0, 0, 0)
    # Runs of dark modules, each stretched down over the rows below that have the same run: vector edges stay
    # exact at any resolution, with a few hundred rectangles instead of thousands of squares.
    runs = [_runs(row) for row in modules]
    for r, row_runs in enumerate(runs):
        for start, end in row_runs:
            if r > 0 and (start, end) in runs[r - 1]:
                continue  # drawn as part of the rectangle that began higher up
            height = 1
            while r + height < len(runs) and (start, end) in runs[r + height]:
                height += 1
            pdf.rect(x + start * unit, y + r * unit, (end - start) * unit, height * unit, style=RenderStyle.F)


def _runs(row) -> set[tuple[int, int]]:
    found, c = set(), 0
    while c < len(row):
        if row[c]:
            start = c
            while c < len(row) and row[c]:
                c += 1
            found.add((start, c))
        c += 1
    return found


def render(letter: dict) -> bytes:
    """`letter` holds the printed texts (see documents.rendering.letter_view); returns the PDF bytes."""
    pdf = _Letter(set("".join(_texts(letter))))
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

    _text(pdf, 0, 6, letter["intro"])
    pdf.ln(1)
    _rows(pdf, letter["identity"])
    if letter["fields"]:
        pdf.ln(2)
        _text(pdf, 0, 6, letter["fields_intro"])
        _rows(pdf, letter["fields"])
    pdf.ln(2)
    _rows(pdf, [(letter["purpose_label"], letter["purpose"])])
    pdf.ln(2)
    _text(pdf, 0, 6, letter["closing"])

    # Signature block on the right, the QR with its instructions on the left, kept together on one page.
    block_height = 62
    if pdf.get_y() + block_height > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 6
    right = pdf.w / 2 + 10
    pdf.set_xy(right, top)
    for line in (letter["place_date"], letter["signer_title"]):
        pdf.set_x(right)
        _text(pdf, pdf.w - pdf.r_margin - right, 6, line)
    pdf.set_xy(right, top + 34)
    pdf.set_font("DejaVu", "B", 10.5)
    _text(pdf, pdf.w - pdf.r_margin - right, 6, letter["signer_name"])
    pdf.set_font("DejaVu", "", 10.5)
    if letter.get("signer_nip"):
        pdf.set_x(right)
        pdf.cell(0, 6, f"NIP. {letter['signer_nip']}", new_x="LMARGIN", new_y="NEXT")

    size = 40
    _draw_qr(pdf, letter["qr_text"], pdf.l_margin, top, size)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(pdf.l_margin, top + size + 1)
    _text(pdf, right - pdf.l_margin - 6, 4, letter["verify_line"])
    return bytes(pdf.output())
