"""Fixed-layout forms drawn straight onto the canvas: the geometry of the boxed fields, headings
and framed texts of ``common`` (the same widths, paddings, sizes and shading), without platypus.

A :class:`FormWriter` keeps a cursor down the page and writes PDF operators itself: text in the
form font (``form_font.FormFont``: the form's own glyphs in fixed subsets made once per process),
boxes and shading. Texts wrap by character (CJK) with ``pdfmetrics`` widths, a closing mark never
starting a line; a field row or a line of framed text that does not fit goes on to a new page, as
the platypus forms do. Every page gets the shared footer (notice, document number, page n / m)
once the number of pages is known.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from setacare_desktop.reports import metadata
from setacare_desktop.reports.common import (
    CONTENT_WIDTH,
    FONT,
    FOOTER_RULE_Y,
    FOOTER_Y,
    HANDLING_NOTICE,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    document_info,
    footer_texts,
    form_font,
)

LEFT = MARGIN + 6  # the platypus frame pads 6 pt
TOP = PAGE_HEIGHT - MARGIN - 6
BOTTOM = 20 * mm + 6
SHADE = "0.9 0.9 0.9"
#: Characters that never start a line (they stay at the end of the previous one).
_NO_START = set("、。，．・：；？！）」』】〕”’ー…ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.:;?!)]}%")
#: Characters that never end a line.
_NO_END = set("（「『【〔“‘([{")
_ASCII_WORD = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/@.")
#: Field paddings of ``common.field_table`` and of a plain table cell.
PAD_X, FIELD_TOP, FIELD_BOTTOM = 6.0, 1.0, 2.0


def _f(value: float) -> str:
    return f"{value:.2f}"


#: Operators that are the same in every document of the process (texts of fixed glyphs at a
#: place, boxes): made once. Bounded; what does not fit is made each time.
_MADE: dict[tuple[Any, ...], str] = {}
_MADE_LIMIT = 20000


class _Widths(dict[str, float]):
    """Advance widths (1/1000 em) by character; a character the font lacks has the default."""

    def __init__(self, widths: dict[int, float], default: float) -> None:
        super().__init__((chr(code), w) for code, w in widths.items())
        self.default = default

    def __missing__(self, key: str) -> float:
        return self.default


_WIDTHS: _Widths | None = None
_FIXED_TEXTS: list[str] = []


def fixed_glyphs(text: str) -> None:
    """Words every printout of a form shows (labels, headings, notices): their glyphs go into
    the font subsets made once per process. Called when a form's module is imported, before
    the first document (later calls change nothing)."""
    _FIXED_TEXTS.append(text)


class FormWriter:
    """One document: pages of operators, a cursor, and the footer at the end."""

    def __init__(self, *, title: str, document_number: str, notice: str = HANDLING_NOTICE,
                 last_notice: str | None = None) -> None:
        font = form_font()
        font.prepare("".join(_FIXED_TEXTS))
        self.font = font
        self.out = io.BytesIO()
        self.canvas = rl_canvas.Canvas(self.out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
                                       initialFontName=FONT, invariant=False, lang="ja-JP")
        self.doc = self.canvas._doc
        font.start(self.doc)
        metadata.apply(self.canvas, document_info(title))
        global _WIDTHS
        if _WIDTHS is None:
            _WIDTHS = _Widths(font.face.charWidths, font.face.defaultWidth)
        self._widths = _WIDTHS
        # The font's name in this document (registering it with the document).
        self._base = font.getSubsetInternalName(0, self.doc)[:-2]
        self.document_number = document_number
        self.notice = notice
        self.last_notice = last_notice
        self.pages: list[list[str]] = []
        self.ops: list[str] = []
        self.y = TOP

    # -- text -------------------------------------------------------------------------------

    def width(self, text: str, size: float) -> float:
        return sum(map(self._widths.__getitem__, text)) * size / 1000

    def text(self, x: float, y: float, value: str, size: float, color: str = "") -> None:
        """``value`` (one line) with its baseline at ``y``."""
        if not value:
            return
        key = (value, x, y, size, color, self._base)
        op = _MADE.get(key)
        if op is None:
            runs, fixed = self.font.encode(value, self.doc)
            base, fsize = self._base, _f(size)
            op = " ".join((f"BT {color}1 0 0 1 {_f(x)} {_f(y)} Tm",
                           *(f"{base}+{n} {fsize} Tf ({escaped}) Tj" for n, escaped in runs),
                           "0 g ET" if color else "ET"))
            if fixed and len(_MADE) < _MADE_LIMIT:
                _MADE[key] = op
        self.ops.append(op)

    def centred(self, x: float, width: float, y: float, value: str, size: float) -> None:
        """One line centred in ``width``; a line too wide for it (a long title an
        administrator set) is set smaller until it fits, down to 8 pt."""
        used = self.width(value, size)
        while used > width and size > 8:
            size -= 1
            used = self.width(value, size)
        self.text(x + (width - used) / 2, y, value, size)

    def right(self, x_right: float, y: float, value: str, size: float, color: str = "") -> None:
        self.text(x_right - self.width(value, size), y, value, size, color)

    def lines(self, value: str, size: float, width: float) -> list[str]:
        """``value`` broken into lines no wider than ``width`` (by character; line breaks kept;
        an ASCII word is kept whole when it fits on a line)."""
        widths = self._widths
        limit = width * 1000 / size
        if "\n" not in value and sum(map(widths.__getitem__, value)) <= limit:
            return [value]
        result: list[str] = []
        for paragraph in value.split("\n"):
            start, used, i, n = 0, 0.0, 0, len(paragraph)
            while i < n:
                ch = paragraph[i]
                w = widths[ch]
                if used + w > limit and i > start and ch not in _NO_START:
                    cut = i
                    if ch in _ASCII_WORD:  # back up to the start of the word
                        k = i
                        while k > start and paragraph[k - 1] in _ASCII_WORD:
                            k -= 1
                        if k > start:
                            cut = k
                    if cut - 1 > start and paragraph[cut - 1] in _NO_END:
                        cut -= 1
                    result.append(paragraph[start:cut].rstrip(" "))
                    start = cut
                    while start < n and paragraph[start] == " ":
                        start += 1
                    i, used = start, 0.0
                    continue
                used += w
                i += 1
            result.append(paragraph[start:])
        return result

    # -- drawing ----------------------------------------------------------------------------

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str = "", stroke: float = 0.5) -> None:
        """A box (``y``: its bottom); ``fill`` a grey "r g b" or ""; ``stroke`` 0: no border."""
        key = (x, y, w, h, fill, stroke)
        op = _MADE.get(key)
        if op is None:
            box = f"{_f(x)} {_f(y)} {_f(w)} {_f(h)} re"
            op = " ".join(((f"{fill} rg {box} f 0 g",) if fill else ())
                          + ((f"{_f(stroke)} w {box} S",) if stroke else ()))
            if len(_MADE) < _MADE_LIMIT:
                _MADE[key] = op
        self.ops.append(op)

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> None:
        self.ops.append(f"{_f(width)} w {_f(x1)} {_f(y1)} m {_f(x2)} {_f(y2)} l S")

    def raw(self, op: str) -> None:
        self.ops.append(op)

    # -- flow -------------------------------------------------------------------------------

    def room(self) -> float:
        return self.y - BOTTOM

    def need(self, height: float) -> None:
        """Go on to a new page unless ``height`` fits below the cursor (on a page not empty)."""
        if height > self.room() and self.y < TOP:
            self.new_page()

    def new_page(self) -> None:
        self.pages.append(self.ops)
        self.ops = []
        self.y = TOP

    def space(self, height: float) -> None:
        self.y = max(BOTTOM, self.y - height)

    # -- blocks -----------------------------------------------------------------------------

    def heading(self, title: str) -> None:
        """A shaded heading (``common``'s heading style: 10 pt; its shading reaches 1 pt into the
        5 pt before and the 2 pt after it)."""
        self.space(4)
        height = 14.5 + 2
        self.rect(LEFT, self.y - height, CONTENT_WIDTH, height, fill=SHADE, stroke=0)
        self.text(LEFT + 3, self.y - 1 - 10, title, 10)
        self.y -= height + 1

    def field_rows(self, rows: Sequence[Sequence[tuple[str, str]]],
                   label_width: float = 22 * mm, first_keep: float = 0) -> None:
        """``common.field_table``: rows of (label, value) pairs, labels shaded, a row of one
        pair spanning the width; a row that does not fit goes to the next page, and a row
        taller than a page (a very long note) continues on the next."""
        pairs = max(len(r) for r in rows)
        value_width = (CONTENT_WIDTH - pairs * label_width) / pairs
        for index, row in enumerate(rows):
            cells = []
            height = 0.0
            for k, (label, value) in enumerate(row):
                x = LEFT + k * (label_width + value_width)
                span = value_width if k < len(row) - 1 or len(row) == pairs else (
                    LEFT + CONTENT_WIDTH - x - label_width)
                label_lines = self.lines(label, 8, label_width - 2 * PAD_X)
                value_lines = self.lines(value, 9, span - 2 * PAD_X)
                height = max(height, len(label_lines) * 11.6, len(value_lines) * 13.05)
                cells.append((x, span, label_lines, value_lines))
            height += FIELD_TOP + FIELD_BOTTOM
            if height <= TOP - BOTTOM:  # a row taller than a page starts where it is
                self.need(height + (first_keep if index == 0 else 0))
            else:
                self.need(3 * 13.05)
            while height > self.room():  # taller than a page: its lines go on, row by row
                fit = max(1, int((self.room() - FIELD_TOP - FIELD_BOTTOM) // 13.05))
                self._row([(x, s, la, va[:fit]) for x, s, la, va in cells], label_width,
                          fit * 13.05 + FIELD_TOP + FIELD_BOTTOM)
                self.new_page()
                cells = [(x, s, [], va[fit:]) for x, s, _la, va in cells]
                height = max(len(va) for *_x, va in cells) * 13.05 + FIELD_TOP + FIELD_BOTTOM
            self._row(cells, label_width, height)

    def _row(self, cells: Sequence[tuple[float, float, list[str], list[str]]],
             label_width: float, height: float) -> None:
        top, bottom = self.y, self.y - height
        for x, span, label_lines, value_lines in cells:
            self.rect(x, bottom, label_width, height, fill=SHADE)
            self.rect(x + label_width, bottom, span, height)
            self._block(x + PAD_X, top - FIELD_TOP, label_lines, 8, 11.6)
            self._block(x + label_width + PAD_X, top - FIELD_TOP, value_lines, 9, 13.05)
        self.y = bottom

    def _block(self, x: float, top: float, lines: Sequence[str], size: float,
               leading: float) -> None:
        y = top - size
        for line in lines:
            self.text(x, y, line, size)
            y -= leading

    def paragraph(self, value: str, size: float = 9, leading: float = 13.05) -> None:
        """Plain text across the width, line by line onto further pages."""
        for line in self.lines(value, size, CONTENT_WIDTH):
            self.need(leading)
            self.text(LEFT, self.y - size, line, size)
            self.y -= leading

    def small_label(self, value: str) -> None:
        self.need(11.6 + 13.05 + 6 + 3)  # kept with the first line of its framed text
        self.text(LEFT, self.y - 8, value, 8)
        self.y -= 11.6

    def framed(self, value: str) -> None:
        """``common``'s boxed style: a framed text (its frame reaches into the 3 pt before and
        the 5 pt after it) that continues, still framed, on the next page when it is long."""
        lines = self.lines(value, 9, CONTENT_WIDTH - 8)
        while lines:
            fit = max(1, int((self.room() - 6) // 13.05))
            if fit > len(lines):
                fit = len(lines)
            elif self.room() < 6 + 13.05 and self.y < TOP:
                self.new_page()
                continue
            chunk, lines = lines[:fit], lines[fit:]
            height = len(chunk) * 13.05 + 6
            self.rect(LEFT, self.y - height, CONTENT_WIDTH, height)
            self._block(LEFT + 4, self.y - 3, chunk, 9, 13.05)
            self.y -= height
            if lines:
                self.new_page()
        self.space(2)

    # -- the end ----------------------------------------------------------------------------

    def finish(self) -> bytes:
        """The footers, then the PDF."""
        self.pages.append(self.ops)
        total = len(self.pages)
        canvas = self.canvas
        for number, ops in enumerate(self.pages, start=1):
            self.ops = ops
            notice, numbering = footer_texts(number, total, self.document_number, self.notice,
                                             self.last_notice)
            self.line(MARGIN, FOOTER_RULE_Y, PAGE_WIDTH - MARGIN, FOOTER_RULE_Y)
            self.text(MARGIN, FOOTER_Y, notice, 7.5)
            self.right(PAGE_WIDTH - MARGIN, FOOTER_Y, numbering, 8.5)
            canvas._code.extend(ops)
            canvas.showPage()
        canvas.save()
        return self.out.getvalue()

