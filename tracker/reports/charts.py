"""The report's charts, drawn once as shapes, then written as SVG (HTML, PDF) or PNG (Word).

Each chart is laid out from a snapshot's `Chart` block into a `Figure` of rectangles, lines and
text; `to_svg` and `to_png` only translate those shapes, so the two pictures always agree.
Words are always printed beside the colours, and every chart carries its text alternative.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape
from PIL import Image, ImageDraw, ImageFont

from tracker.reports.document import Chart

INK = "#0b0c0c"
GRID = "#b1b4b6"
# The status chart's bars, by the status's name (`ShownStatus.short_label`): the colours of
# the pages' tags, dark enough to stand out from the white page.
COLOURS = {
    "Not planned": "#505a5f",
    "Red": "#d4351c",
    "Amber": "#f47738",
    "Green": "#00703c",
    "Awaiting evidence": "#00796b",
    "Awaiting sign-off": "#4c2c92",
    "Complete": "#1d70b8",
}
# The trend's segments use the RAG colours for the same meanings.
SEGMENTS = [("complete", "Complete", "#1d70b8"), ("on_time", "On time", "#00703c"),
            ("overdue", "Overdue", "#d4351c")]
FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"
FONT_FOLDER = Path("/usr/share/fonts/truetype/liberation")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float = 13
    anchor: str = "start"  # start, middle or end
    bold: bool = False


@dataclass
class Figure:
    width: int
    height: int
    title: str
    description: str
    shapes: list[Rect | Line | Text] = field(default_factory=list)


def nice_step(largest: int, most_ticks: int = 4) -> int:
    """A round gridline step (1, 2, 5, 10, 20, 50 …) giving at most `most_ticks` steps."""
    if largest <= 0:
        return 1
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            if math.ceil(largest / step) <= most_ticks:
                return step
        power *= 10


def rag_figure(chart: Chart) -> Figure:
    """Horizontal bars, one per status, each labelled with its count."""
    values = chart.series["items"]
    figure = Figure(480, 24 + 34 * len(values), chart.title, chart.alt)
    largest = max(values + [1])
    left, room = 140, 290
    for row, (label, value) in enumerate(zip(chart.labels, values, strict=True)):
        top = 12 + row * 34
        figure.shapes.append(Text(left - 10, top + 20, label, anchor="end", bold=True))
        width = room * value / largest
        if value:
            figure.shapes.append(Rect(left, top + 4, width, 22, COLOURS.get(label, INK)))
        figure.shapes.append(Text(left + width + 8, top + 20, str(value)))
    figure.shapes.append(Line(left, 8, left, figure.height - 8, INK))
    return figure


def _split_label(label: str, first: bool) -> tuple[str, str]:
    if " " not in label:
        return label, ""
    name, year = label.split(" ", 1)
    return name, year if first or name == "Jan" else ""


def _panel(figure: Figure, chart: Chart, prefix: str, heading: str, top: float) -> None:
    count = len(chart.labels)
    totals = [sum(chart.series[f"{prefix}_{key}"][n] for key, _l, _c in SEGMENTS)
              for n in range(count)]
    step = nice_step(max(totals + [1]))
    scale_top = max(step, math.ceil(max(totals + [1]) / step) * step)
    left, right = 44, figure.width - 8
    plot_top, plot_bottom = top + 30, top + 150
    height = plot_bottom - plot_top
    figure.shapes.append(Text(0, top + 16, heading, size=15, bold=True))
    for tick in range(0, scale_top + 1, step):
        y = plot_bottom - height * tick / scale_top
        figure.shapes.append(Line(left, y, right, y, GRID if tick else INK))
        figure.shapes.append(Text(left - 6, y + 4, str(tick), size=11, anchor="end"))
    slot = (right - left) / max(count, 1)
    bar = min(28.0, slot * 0.7)
    for n, label in enumerate(chart.labels):
        x = left + slot * n + (slot - bar) / 2
        base = plot_bottom
        for key, _label, colour in SEGMENTS:
            value = chart.series[f"{prefix}_{key}"][n]
            if value:
                segment = height * value / scale_top
                figure.shapes.append(Rect(x, base - segment, bar, segment, colour))
                base -= segment
        line1, line2 = _split_label(label, n == 0)
        centre = x + bar / 2
        figure.shapes.append(Text(centre, plot_bottom + 15, line1, size=11, anchor="middle"))
        if line2:
            figure.shapes.append(Text(centre, plot_bottom + 28, line2, size=11,
                                      anchor="middle"))


def trend_figure(chart: Chart) -> Figure:
    """Two stacked bar charts, items above actions: complete, on time and overdue."""
    figure = Figure(480, 420, chart.title, chart.alt)
    _panel(figure, chart, "items", "Items", 0)
    _panel(figure, chart, "actions", "Actions", 190)
    x = 44.0
    for _key, label, colour in SEGMENTS:
        figure.shapes.append(Rect(x, 392, 16, 16, colour))
        figure.shapes.append(Text(x + 22, 405, label, size=13))
        x += 120
    return figure


PERCENT_COLOUR = "#1d70b8"


def percent_figure(chart: Chart) -> Figure:
    """One bar per month end (and today), its height the percentage, labelled with it."""
    values = chart.series["percent"]
    figure = Figure(480, 190, chart.title, chart.alt)
    left, right = 44, figure.width - 8
    plot_top, plot_bottom = 18, 150
    height = plot_bottom - plot_top
    for tick in range(0, 101, 25):
        y = plot_bottom - height * tick / 100
        figure.shapes.append(Line(left, y, right, y, GRID if tick else INK))
        figure.shapes.append(Text(left - 6, y + 4, f"{tick}%", size=11, anchor="end"))
    slot = (right - left) / max(len(values), 1)
    bar = min(28.0, slot * 0.7)
    for n, (label, value) in enumerate(zip(chart.labels, values, strict=True)):
        x = left + slot * n + (slot - bar) / 2
        top = plot_bottom - height * value / 100
        if value:
            figure.shapes.append(Rect(x, top, bar, plot_bottom - top, PERCENT_COLOUR))
        centre = x + bar / 2
        figure.shapes.append(Text(centre, top - 4, f"{value}%", size=10, anchor="middle"))
        line1, line2 = _split_label(label, n == 0)
        figure.shapes.append(Text(centre, plot_bottom + 15, line1, size=11, anchor="middle"))
        if line2:
            figure.shapes.append(Text(centre, plot_bottom + 28, line2, size=11,
                                      anchor="middle"))
    return figure


def figure_for(chart: Chart) -> Figure:
    """The figure that draws a snapshot's chart ("rag" and "trend" in reports issued before
    "percent" replaced them)."""
    if chart.chart == "percent":
        return percent_figure(chart)
    return rag_figure(chart) if chart.chart == "rag" else trend_figure(chart)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def to_svg(figure: Figure, ident: str) -> Markup:
    """The figure as an inline SVG element, titled and described for screen readers."""
    parts = [
        Markup('<svg xmlns="http://www.w3.org/2000/svg" class="report__chart-image" '
               'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
               'aria-labelledby="{i}-title {i}-desc" focusable="false">').format(
            w=figure.width, h=figure.height, i=ident),
        Markup('<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>').format(
            ident, figure.title, ident, figure.description),
    ]
    for shape in figure.shapes:
        if isinstance(shape, Rect):
            parts.append(Markup(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" '
                'stroke-width="1"/>').format(
                _number(shape.x), _number(shape.y), _number(shape.width),
                _number(shape.height), shape.fill))
        elif isinstance(shape, Line):
            parts.append(Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                                'stroke-width="1"/>').format(
                _number(shape.x1), _number(shape.y1), _number(shape.x2), _number(shape.y2),
                shape.stroke))
        else:
            parts.append(Markup(
                '<text x="{}" y="{}" font-family="{}" font-size="{}" text-anchor="{}" '
                'fill="{}"{}>{}</text>').format(
                _number(shape.x), _number(shape.y), FONT_FAMILY, _number(shape.size),
                shape.anchor, INK, Markup(' font-weight="bold"') if shape.bold else "",
                shape.text))
    parts.append(Markup("</svg>"))
    return Markup("").join(escape(part) for part in parts)


def _font(size: float, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    try:
        return ImageFont.truetype(str(FONT_FOLDER / name), size)
    except OSError:
        return ImageFont.load_default(size)


def to_png(figure: Figure, scale: float = 2.5) -> bytes:
    """The figure as a PNG, drawn at `scale` times its SVG size for print."""
    image = Image.new("RGB", (round(figure.width * scale), round(figure.height * scale)),
                      "#ffffff")
    draw = ImageDraw.Draw(image)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for shape in figure.shapes:
        if isinstance(shape, Rect):
            box = [shape.x * scale, shape.y * scale, (shape.x + shape.width) * scale,
                   (shape.y + shape.height) * scale]
            draw.rectangle(box, fill=shape.fill, outline="#ffffff", width=max(1, round(scale)))
        elif isinstance(shape, Line):
            draw.line([shape.x1 * scale, shape.y1 * scale, shape.x2 * scale, shape.y2 * scale],
                      fill=shape.stroke, width=max(1, round(scale)))
        else:
            draw.text((shape.x * scale, shape.y * scale), shape.text, fill=INK,
                      font=_font(shape.size * scale, shape.bold), anchor=anchors[shape.anchor])
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
