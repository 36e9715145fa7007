"""Bar charts for the statistics printout, drawn with reportlab's own graphics in the embedded
font: the window's chart (one horizontal bar per line, the count at its end, read from the top as
the table is) and the comparison of two periods (two bars a line, with a legend).

Every text of a chart (axis labels, counts, legend) names IPAexGothic, so the PDF references no
standard font. Labels and counts only: no personal data.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from setacare_desktop.reports.common import FONT

#: The window's bar colour (ui.stats.page.BAR_COLOR) and a grey for the earlier period.
BAR = colors.HexColor("#3b6ea8")
EARLIER = colors.HexColor("#b0b0b0")
TEXT = colors.HexColor("#202020")
LABEL_SIZE = 8
BAR_HEIGHT = 14  # points a category takes with one bar
PAIR_HEIGHT = 22  # with two bars
_TITLE_SIZE = 9


def nice_step(maximum: int) -> int:
    """A tick step of 1, 2 or 5 × 10ⁿ giving at most about six ticks."""
    if maximum <= 5:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if maximum / (step * factor) <= 6:
                return step * factor
        step *= 10


def _top(counts: Sequence[int]) -> tuple[int, int]:
    highest = max(counts, default=0)
    step = nice_step(highest)
    top = max(step, -(-highest * 11 // 10 // step) * step)
    if top <= highest:
        top += step  # room for the count at the end of the longest bar
    return top, step


def bar_chart(labels: Sequence[str], series: Sequence[Sequence[int]], width: float, *,
              names: Sequence[str] = (), title: str = "") -> Drawing:
    """Horizontal bars, one category a line from the top; ``series``: one list of counts per
    period (one: the window's chart; two: earlier and later, with a legend of ``names``)."""
    pairs = len(series) > 1
    per = PAIR_HEIGHT if pairs else BAR_HEIGHT
    label_width = max((stringWidth(label, FONT, LABEL_SIZE) for label in labels), default=0)
    legend_height = 16 if pairs else 0
    title_height = 16 if title else 0
    plot_height = max(len(labels), 1) * per
    height = plot_height + 24 + legend_height + title_height
    drawing = Drawing(width, height, initialFontName=FONT)
    chart = HorizontalBarChart()
    chart.x = min(label_width + 8, width * 0.45)
    chart.y = 18
    chart.width = width - chart.x - 36
    chart.height = plot_height
    # The chart draws its first category at the bottom, and in a group its first series at the
    # bottom: both reversed, it reads from the top (the earlier period above the later).
    chart.data = [list(reversed(counts)) or [0] for counts in reversed(series)]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeWidth = 0.5
    top, step = _top([c for counts in series for c in counts])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = LABEL_SIZE - 1
    chart.valueAxis.labelTextFormat = lambda value: f"{int(value):,}"
    chart.valueAxis.strokeWidth = 0.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.barSpacing = 1
    chart.groupSpacing = 4 if pairs else 3
    chart.barLabelFormat = lambda value: f"{int(value):,}"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = LABEL_SIZE - 1
    chart.barLabels.fillColor = TEXT
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.bars.strokeWidth = 0
    fills = (EARLIER, BAR) if pairs else (BAR,)
    for index, fill in enumerate(reversed(fills)):
        chart.bars[index].fillColor = fill
    drawing.add(chart)
    if pairs:
        legend = Legend()
        legend.fontName = FONT
        legend.fontSize = LABEL_SIZE
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = max((stringWidth(n, FONT, LABEL_SIZE) for n in names), default=40) + 24
        legend.x = chart.x
        legend.y = height - title_height - 4
        legend.colorNamePairs = list(zip(fills, names, strict=True))
        drawing.add(legend)
    if title:
        drawing.add(String(0, height - _TITLE_SIZE - 2, title, fontName=FONT,
                           fontSize=_TITLE_SIZE, fillColor=TEXT))
    return drawing
