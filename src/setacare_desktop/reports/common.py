"""The machinery every printout shares: the embedded Japanese font, styles, boxed fields, and the
footer (取扱注意・持ち出し禁止, the document number, page n / m) drawn on every page.

Reports take plain data and return PDF bytes; they never see a database. The font is IPAexGothic
(``fonts.japanese_font_path``), registered once as a reportlab ``TTFont``: reportlab embeds the
glyphs used as TrueType subsets (``/FontFile2``), so the PDF looks the same everywhere and its text
can be searched and copied. Every canvas starts in that font (``initialFontName``) and every style
names it, so no standard PDF font (Helvetica) is ever referenced.

Speed (a day's sheets are printed in one go): the font file is parsed once per process and the
TrueType subsets it makes are kept, so a subset that another document of the process already
made is not made again; the styles are prepared once and shared (they are never changed after);
a plain-text paragraph (no line break, nothing to escape) reuses its style's parsed fragment
instead of running reportlab's markup parser; the canvas class is made once; and reportlab's
attribute checking of graphics shapes (a debugging aid) is off. ``batch`` spreads many
documents over processes.
"""

from __future__ import annotations

import copy
import functools
import io
import re
import weakref
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFace
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether
from reportlab.platypus.paraparser import ParaFrag

from setacare_desktop.fonts import FONT_FAMILY, FONT_FILE, FONT_PACKAGE, japanese_font_path
from setacare_desktop.reports import metadata
from setacare_desktop.reports.form_font import FormFont
from setacare_desktop.reports.metadata import DocumentInfo

# Attribute validation of every graphics shape (the QR code's thousands of squares, the charts'
# bars) is a debugging aid that costs more than the drawing itself.
rl_config.shapeChecking = 0
# The error correction polynomial of a code depends on its length only: reportlab builds it again
# for every code (a third of the time of one).
qrencoder.QRUtil.getErrorCorrectPolynomial = staticmethod(
    functools.cache(qrencoder.QRUtil.getErrorCorrectPolynomial))
# Streams stay binary (Flate only): ASCII85 on top makes files a quarter larger and costs time.
rl_config.useA85 = 0

FONT = FONT_FAMILY
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN - 12  # the frame pads 6 pt on either side
HANDLING_NOTICE = "取扱注意・持ち出し禁止（個人情報を含みます。目的外の利用・複写・転送をしないでください）"
LINE = colors.black
SHADE = colors.Color(0.9, 0.9, 0.9)


class FontMissingError(RuntimeError):
    """The Japanese font is not installed: printing would show boxes instead of text."""


class _SubsetCachingFace(TTFontFace):
    """The parsed font, keeping the subsets it has made (the TrueType program of a set of
    glyphs depends on nothing else): documents that use the same glyphs in the same order share
    one subsetting."""

    _subsets: dict[tuple[int, ...], bytes]
    _tables: dict[str, bytes]
    _LIMIT = 256

    def get_table(self, tag: str) -> bytes:
        # A subset reads the glyph table whole: copy it out of the file once, not each time.
        tables = self.__dict__.setdefault("_tables", {})
        table = tables.get(tag)
        if table is None:
            table = tables[tag] = super().get_table(tag)
        return table

    def makeSubset(self, subset: Sequence[int]) -> bytes:
        key = tuple(subset)
        cache = self.__dict__.setdefault("_subsets", {})
        made = cache.get(key)
        if made is None:
            made = super().makeSubset(subset)
            if len(cache) >= self._LIMIT:
                cache.pop(next(iter(cache)))
            cache[key] = made
        return made


_form_font: FormFont | None = None


def register_font() -> str:
    """Register IPAexGothic with reportlab (once per process) and return its name."""
    form_font()
    return FONT


def form_font() -> FormFont:
    """The font object of this process (registered as ``FONT``; parsed once). reportlab gives
    a second font of the same face the first one registered: if another font of IPAexGothic
    came first, the forms still draw with this one."""
    global _form_font
    if _form_font is None:
        path = japanese_font_path()
        if path is None:
            raise FontMissingError(
                f"日本語フォント（{FONT_FAMILY}、{FONT_FILE}）が見つからないため、印刷できません。"
                f"パッケージ {FONT_PACKAGE.replace('_', '-')} をインストールし直してください。")
        font = FormFont(FONT, str(path))
        font.face.__class__ = _SubsetCachingFace  # same object, with the subset cache
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(font)
        _form_font = font
    return _form_font


def style(name: str, size: float = 9, *, leading: float | None = None, alignment: int = 0,
          **extra: Any) -> ParagraphStyle:
    """A paragraph style in the Japanese font that wraps by character (CJK). IPAexGothic has one
    weight: headings are set apart by size and shading."""
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading or size * 1.45,
                          wordWrap="CJK", alignment=alignment, **extra)


class Styles:
    """The styles of a printout: prepared once per process and shared by every printout (a
    style is never changed once made)."""

    _prepared: dict[str, ParagraphStyle] | None = None

    def __init__(self) -> None:
        if Styles._prepared is None:
            Styles._prepared = _prepare_styles()
        self.__dict__.update(Styles._prepared)

    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    boxed: ParagraphStyle
    mark: ParagraphStyle


def _prepare_styles() -> dict[str, ParagraphStyle]:
    return {
        "body": style("body"),
        "small": style("small", 7.5),
        "label": style("label", 8),
        "title": style("title", 16, alignment=1, spaceAfter=2),
        # Border and shading are drawn outside the text by their padding: indent by as much, so
        # they line up with the tables.
        "heading": style("heading", 10, backColor=SHADE, borderPadding=(1, 3, 1, 3),
                         leftIndent=3, rightIndent=3, spaceBefore=5, spaceAfter=2),
        "boxed": style("boxed", 9, borderWidth=0.5, borderColor=LINE,
                       borderPadding=(3, 4, 3, 4), leftIndent=4, rightIndent=4,
                       spaceBefore=3, spaceAfter=5),
        "mark": style("mark", 11, alignment=2, textColor=colors.Color(0.7, 0, 0)),
    }


_FRAGMENTS: weakref.WeakKeyDictionary[ParagraphStyle, ParaFrag] = weakref.WeakKeyDictionary()
#: Text the markup parser would keep as it is: no markup characters, and no whitespace but single
#: ASCII spaces (the parser turns other whitespace, the ideographic space too, into one space).
_PLAIN = re.compile(r"[^\s&<>]+(?: [^\s&<>]+)*")


class _Paragraph(Paragraph):
    """A paragraph that breaks its lines once per width: a table measures each cell, then lays
    it out, then draws it, asking for the same width each time (the line breaks depend on the
    width alone)."""

    _wrapped_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # (split() may drop the line breaks when it moves the paragraph on: break them again)
        if availWidth == self._wrapped_for and "blPara" in self.__dict__:
            return self.width, self.height
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        if hasattr(self, "blPara"):
            self._wrapped_for = availWidth
        return size


def text(value: str, st: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    if _PLAIN.fullmatch(value):
        # What the markup parser would make of plain text: the style's one fragment.
        template = _FRAGMENTS.get(st)
        if template is None:
            template = _FRAGMENTS[st] = Paragraph("x", st).frags[0]
        fragment = copy.copy(template)
        fragment.text = value
        return _Paragraph(value, st, frags=[fragment])
    return _Paragraph(escape(value).replace("\n", "<br/>") if value else "", st)


def table(data: Sequence[Sequence[Any]], commands: Sequence[tuple[Any, ...]] = (),
          **kwargs: Any) -> Table:
    """A reportlab Table whose cells default to the Japanese font (a plain-string cell would
    otherwise pull in Helvetica)."""
    result = Table(data, **kwargs)
    result.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands]))
    return result


def field_table(rows: Sequence[Sequence[tuple[str, str]]], styles: Styles,
                label_width: float = 22 * mm) -> Table:
    """Boxed fields: each row is one or more (label, value) pairs sharing the width.

    All rows must hold the same number of pairs except that a row of one pair spans them all.
    """
    pairs = max(len(r) for r in rows)
    value_width = (CONTENT_WIDTH - pairs * label_width) / pairs
    widths = [label_width, value_width] * pairs
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for y, row in enumerate(rows):
        cells: list[Any] = []
        for label, value in row:
            cells += [text(label, styles.label), text(value, styles.body)]
        for x in range(0, 2 * len(row), 2):
            commands.append(("BACKGROUND", (x, y), (x, y), SHADE))
        if len(row) < pairs:
            cells += [""] * (2 * pairs - len(cells))
            commands.append(("SPAN", (1 + 2 * (len(row) - 1), y), (-1, y)))
        data.append(cells)
    return table(data, commands, colWidths=widths, hAlign="LEFT")


def section(title: str, body: Sequence[Flowable], styles: Styles) -> list[Flowable]:
    """A shaded heading kept with the start of what follows."""
    head = text(title, styles.heading)
    if not body:
        return [head]
    return [KeepTogether([head, body[0]]), *body[1:]]


def checkboxes(options: Sequence[str], chosen: Sequence[str]) -> str:
    """■ 訪問　□ 面談 …"""
    return "　".join(f"{'■' if o in chosen else '□'} {o}" for o in options)


class QrCode(Flowable):
    """A QR code drawn as one path of filled squares (reportlab's widget makes a graphics shape
    per square and computes the code twice): the same modules, error correction M and the
    4-module quiet zone of ``QrCodeWidget``."""

    def __init__(self, value: str, size: float = 26 * mm) -> None:
        super().__init__()
        self.value = value
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        dark = qr_modules(self.value)
        count = len(dark) + 8
        unit = self.size / count
        path = self.canv.beginPath()
        for row, line in enumerate(dark):
            y = self.size - (row + 5) * unit
            col = 0
            while col < len(line):
                if not line[col]:
                    col += 1
                    continue
                start = col
                while col < len(line) and line[col]:
                    col += 1
                path.rect((start + 4) * unit, y, (col - start) * unit, unit)
        self.canv.setFillColor(LINE)
        self.canv.drawPath(path, stroke=0, fill=1)


@functools.lru_cache(maxsize=64)
def qr_modules(value: str, mask: int | None = None) -> tuple[tuple[bool, ...], ...]:
    """The dark modules of ``value``'s QR code (error correction M), row by row: with the mask
    pattern reportlab's widget picks (it tries all eight), or with ``mask`` (0-7; any mask is
    valid for a reader, and picking one costs most of the encoding)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    if mask is None:
        code.make()
    else:
        code.version = code.calculate_version()
        code.makeImpl(False, mask)
        return tuple(map(tuple, code.modules))
    n = code.getModuleCount()
    return tuple(tuple(bool(code.isDark(r, c)) for c in range(n)) for r in range(n))


#: What each form is, by a name its title holds (first match; the title may start with a 様式
#: number): the Subject of its PDF.
_SUBJECTS = {
    "連携シート": "関係機関への連携シート（相談の引継ぎと返信票）",
    "返信票": "連携シートの返信票（送付先が記入して返送）",
    "送付状": "FAX送付状（送付先・送付元・枚数。個人の情報は記載しない）",
    "同意書": "関係機関との情報共有についての本人の同意書",
    "相談受付票": "福祉の相談窓口の相談受付票（窓口の控え）",
    "相談受付一覧": "福祉の相談窓口の地区別・日別の相談受付一覧",
    "福祉の相談窓口": "福祉の相談窓口の相談件数の統計（集計値のみ）",
}


def document_info(title: str, subject: str | None = None,
                  keywords: Sequence[str] = ()) -> DocumentInfo:
    """The properties of a printout titled ``title`` (a form name and a document number, never a
    person); the subject defaults to the form's description."""
    if subject is None:
        subject = next((s for name, s in _SUBJECTS.items() if name in title),
                       f"{title.split()[0] if title.split() else title}（{metadata.PRODUCT}）")
    return DocumentInfo(title, subject, ("福祉の相談窓口", *keywords))


class NumberedCanvas(canvas.Canvas):
    """A canvas that starts in the Japanese font, carries the document properties, holds its pages
    until the end, then draws the footer (notice, document number, page n / m) on each."""

    def __init__(self, *args: Any, document_number: str = "", notice: str = HANDLING_NOTICE,
                 last_notice: str | None = None, info: DocumentInfo | None = None,
                 document_id: str | None = None, **kwargs: Any) -> None:
        kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self._document_number = document_number
        self._notice = notice
        #: The last page's own notice (the 返信票 that ends a liaison sheet holds no personal
        #: data and says so), or None for the same notice on every page.
        self._last_notice = last_notice
        self.document_id = metadata.apply(self, info or document_info(document_number),
                                          document_id=document_id)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        notice, numbering = footer_texts(number, total, self._document_number, self._notice,
                                         self._last_notice)
        self.saveState()
        self.setFont(FONT, 7.5)
        self.setLineWidth(0.5)
        self.line(MARGIN, FOOTER_RULE_Y, PAGE_WIDTH - MARGIN, FOOTER_RULE_Y)
        self.drawString(MARGIN, FOOTER_Y, notice)
        self.setFont(FONT, 8.5)
        self.drawRightString(PAGE_WIDTH - MARGIN, FOOTER_Y, numbering)
        self.restoreState()


#: Where every page's footer stands: its text, and the rule above it.
FOOTER_Y = 9 * mm
FOOTER_RULE_Y = FOOTER_Y + 4 * mm


def footer_texts(number: int, total: int, document_number: str, notice: str,
                 last_notice: str | None) -> tuple[str, str]:
    """A page's footer: its notice (the last page's own when there is one: the 返信票 that ends
    a liaison sheet holds no personal data and says so) and 「番号　n / m」."""
    shown = last_notice if number == total and last_notice is not None else notice
    return shown, f"{document_number}　{number} / {total}"


def build_pdf(story: list[Flowable], *, title: str, document_number: str,
              notice: str = HANDLING_NOTICE, last_notice: str | None = None,
              subject: str | None = None, keywords: Sequence[str] = ()) -> bytes:
    """Lay out ``story`` on A4 portrait pages with the shared footer; returns the PDF.

    ``title`` and ``subject`` become the document properties (no personal data: a form name and
    a document number); the subject defaults to the form's description."""
    register_font()
    info = document_info(title, subject, keywords)
    out = io.BytesIO()
    # The template sets the Info values on the canvas it makes: give it the same ones.
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=20 * mm, title=info.title,
                            author=info.author, subject=info.subject, creator=metadata.PRODUCT,
                            keywords=info.keyword_text, lang="ja-JP",
                            initialFontName=FONT, invariant=False)
    maker = functools.partial(NumberedCanvas, document_number=document_number, notice=notice,
                              last_notice=last_notice, info=info)
    doc.build(story, canvasmaker=maker)
    return out.getvalue()
