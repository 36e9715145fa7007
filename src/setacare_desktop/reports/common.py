"""The machinery every printout shares: the embedded Japanese font, styles, boxed fields, and the
footer (取扱注意・持ち出し禁止, the document number, page n / m) drawn on every page.

Reports take plain data and return PDF bytes; they never see a database. The font is IPAexGothic
(``fonts.japanese_font_path``), registered once as a reportlab ``TTFont``: reportlab embeds the
glyphs used as TrueType subsets (``/FontFile2``), so the PDF looks the same everywhere and its text
can be searched and copied. Every canvas starts in that font (``initialFontName``) and every style
names it, so no standard PDF font (Helvetica) is ever referenced.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from setacare_desktop.fonts import FONT_FAMILY, FONT_FILE, FONT_PACKAGE, japanese_font_path

FONT = FONT_FAMILY
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN - 12  # the frame pads 6 pt on either side
HANDLING_NOTICE = "取扱注意・持ち出し禁止（個人情報を含みます。目的外の利用・複写・転送をしないでください）"
LINE = colors.black
SHADE = colors.Color(0.9, 0.9, 0.9)


class FontMissingError(RuntimeError):
    """The Japanese font is not installed: printing would show boxes instead of text."""


def register_font() -> str:
    """Register IPAexGothic with reportlab (once) and return its name."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    path = japanese_font_path()
    if path is None:
        raise FontMissingError(
            f"日本語フォント（{FONT_FAMILY}、{FONT_FILE}）が見つからないため、印刷できません。"
            f"パッケージ {FONT_PACKAGE.replace('_', '-')} をインストールし直してください。")
    pdfmetrics.registerFont(TTFont(FONT, str(path)))
    return FONT


def style(name: str, size: float = 9, *, leading: float | None = None, alignment: int = 0,
          **extra: Any) -> ParagraphStyle:
    """A paragraph style in the Japanese font that wraps by character (CJK). IPAexGothic has one
    weight: headings are set apart by size and shading."""
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading or size * 1.45,
                          wordWrap="CJK", alignment=alignment, **extra)


class Styles:
    """The styles of a printout, built after the font is registered."""

    def __init__(self) -> None:
        self.body = style("body")
        self.small = style("small", 7.5)
        self.label = style("label", 8)
        self.title = style("title", 16, alignment=1, spaceAfter=2)
        # Border and shading are drawn outside the text by their padding: indent by as much, so
        # they line up with the tables.
        self.heading = style("heading", 10, backColor=SHADE, borderPadding=(1, 3, 1, 3),
                             leftIndent=3, rightIndent=3, spaceBefore=5, spaceAfter=2)
        self.boxed = style("boxed", 9, borderWidth=0.5, borderColor=LINE,
                           borderPadding=(3, 4, 3, 4), leftIndent=4, rightIndent=4,
                           spaceBefore=3, spaceAfter=5)
        self.mark = style("mark", 11, alignment=2, textColor=colors.Color(0.7, 0, 0))


def text(value: str, st: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(value).replace("\n", "<br/>") if value else "", st)


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


def _footer_canvas(document_number: str, notice: str) -> type[canvas.Canvas]:
    """A canvas that holds its pages until the end, then draws the footer with page n / m."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = FONT
            super().__init__(*args, **kwargs)
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
            self.saveState()
            self.setFont(FONT, 7.5)
            y = 9 * mm
            self.setLineWidth(0.5)
            self.line(MARGIN, y + 4 * mm, PAGE_WIDTH - MARGIN, y + 4 * mm)
            self.drawString(MARGIN, y, notice)
            self.setFont(FONT, 8.5)
            self.drawRightString(PAGE_WIDTH - MARGIN, y, f"{document_number}　{number} / {total}")
            self.restoreState()

    return NumberedCanvas


def build_pdf(story: list[Flowable], *, title: str, document_number: str,
              notice: str = HANDLING_NOTICE) -> bytes:
    """Lay out ``story`` on A4 portrait pages with the shared footer; returns the PDF."""
    register_font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=20 * mm, title=title,
                            author="SetaCare Desktop", creator="SetaCare Desktop",
                            initialFontName=FONT, invariant=False)
    doc.build(story, canvasmaker=_footer_canvas(document_number, notice))
    return out.getvalue()
