"""Chart geometry for server-drawn SVG (templates/_charts.html): a plot frame in viewBox units,
round value ticks, and lines and bars already scaled into it. Labels arrive formatted.

Time runs along x in the reading direction: left to right, or right to left with the value axis
on the right when `rtl`. Text anchors are logical (start/end), so the SVG's `direction` mirrors
them with the axis.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 340, 180
TOP, BOTTOM = 10, 26  # room above the highest tick label, below for the time labels
VALUE_SIDE, FAR_SIDE = 46, 18  # the value axis' labels; the far side leaves half a date label
MARKER = 3.5


@dataclass(frozen=True)
class Tick:
    pos: float  # x for a time label, y for a value
    label: str
    anchor: str = "middle"  # start / end / middle, in the reading direction


@dataclass(frozen=True)
class Frame:
    """The plot area inside the viewBox, its gridlines and axis labels."""

    rtl: bool
    left: float
    right: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    top: float = TOP
    bottom: float = HEIGHT - BOTTOM

    @property
    def value_x(self) -> float:
        """Where the value labels end: just outside the plot, on the side time starts from."""
        return self.right + 6 if self.rtl else self.left - 6

    @property
    def label_y(self) -> float:
        return self.bottom + 18

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Line:
    label: str
    points: list[Point]
    shape: str  # circle, square, diamond or triangle: colour is never the only cue
    radius = MARKER

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    def marker(self, p: Point) -> str:
        """The point's marker as path data (a circle is drawn as a <circle>)."""
        r, x, y = MARKER, p.x, p.y
        if self.shape == "square":
            return f"M{x - r:.1f} {y - r:.1f}h{2 * r}v{2 * r}h{-2 * r}z"
        if self.shape == "diamond":
            return f"M{x:.1f} {y - r - 1:.1f}l{r + 1} {r + 1}l{-r - 1} {r + 1}l{-r - 1} {-r - 1}z"
        return f"M{x:.1f} {y - r - 1:.1f}l{r + 1} {2 * r + 1}h{-2 * r - 2}z"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class LineChart:
    frame: Frame
    lines: list[Line]


@dataclass(frozen=True)
class BarSeries:
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    frame: Frame
    series: list[BarSeries]


SHAPES = ("circle", "square", "diamond", "triangle")


def nice_ticks(low: float, high: float, count: int = 4, integer: bool = False) -> list[float]:
    """Round values (steps of 1, 2, 2.5 or 5 × 10^n) that cover low..high in about `count`
    steps."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if integer:
        step = max(1, math.ceil(step))
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9:
        ticks.append(start + step * len(ticks))
    return ticks


def _x(frame_left: float, frame_right: float, rtl: bool, fraction: float) -> float:
    span = frame_right - frame_left
    return round(frame_right - fraction * span if rtl else frame_left + fraction * span, 1)


def _value_scale(ticks: list[float], top: float, bottom: float) -> Callable[[float], float]:
    low, high = ticks[0], ticks[-1]
    return lambda v: round(bottom - (v - low) / (high - low) * (bottom - top), 1)


def _frame(rtl: bool, ticks: list[float], number: Callable[[float], str], x_ticks) -> Frame:
    left, right = (FAR_SIDE, WIDTH - VALUE_SIDE) if rtl else (VALUE_SIDE, WIDTH - FAR_SIDE)
    y = _value_scale(ticks, TOP, HEIGHT - BOTTOM)
    return Frame(rtl=rtl, left=left, right=right,
                 y_ticks=[Tick(y(v), number(v), "end") for v in ticks],
                 x_ticks=x_ticks(left, right))


def line_chart(series: Sequence[tuple[str, Sequence[tuple[float, float, str]]]],
               x_range: tuple[float, float], x_labels: Sequence[tuple[float, str]],
               number: Callable[[float], str], rtl: bool) -> LineChart:
    """Lines of (x, value, tooltip) points on a continuous x axis from x_range[0] to x_range[1];
    values scaled between round ticks around their range; `x_labels` at their x."""
    values = [v for _, points in series for _, v, _ in points]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.1, abs(high) * 0.05, 1)
    ticks = nice_ticks(max(0.0, low - pad), high + pad)
    x0, x1 = x_range
    span = (x1 - x0) or 1
    inset = 0.04  # the first and last points clear the plot's edges

    def frac(x: float) -> float:
        return inset + (x - x0) / span * (1 - 2 * inset) if x1 > x0 else 0.5

    def x_ticks(left, right):
        last = len(x_labels) - 1
        return [Tick(_x(left, right, rtl, frac(x)), label,
                     "start" if i == 0 and last else "end" if i == last and last else "middle")
                for i, (x, label) in enumerate(x_labels)]

    frame = _frame(rtl, ticks, number, x_ticks)
    y = _value_scale(ticks, frame.top, frame.bottom)
    lines = [Line(label, [Point(_x(frame.left, frame.right, rtl, frac(x)), y(v), title)
                          for x, v, title in points], SHAPES[i % len(SHAPES)])
             for i, (label, points) in enumerate(series)]
    return LineChart(frame, lines)


def bar_chart(series: Sequence[tuple[str, Sequence[tuple[float, str]]]],
              x_labels: Sequence[str], number: Callable[[float], str], rtl: bool,
              label_every: int = 3, integer: bool = False) -> BarChart:
    """Stacked bars, one slot per category (oldest first), each series a list of (value,
    tooltip); every `label_every`-th category is labelled, counting back from the latest."""
    slots = len(x_labels)
    totals = [sum(values[i][0] for _, values in series) for i in range(slots)]
    ticks = nice_ticks(0, max(max(totals), 1), integer=integer)

    def x_ticks(left, right):
        return [Tick(_x(left, right, rtl, (i + 0.5) / slots), x_labels[i])
                for i in range(slots - 1, -1, -label_every)][::-1]

    frame = _frame(rtl, ticks, number, x_ticks)
    y = _value_scale(ticks, frame.top, frame.bottom)
    slot = (frame.right - frame.left) / slots
    gap = slot * 0.25
    stacked = [0.0] * slots
    out = []
    for label, values in series:
        bars = []
        for i, (value, title) in enumerate(values):
            if value:
                centre = _x(frame.left, frame.right, rtl, (i + 0.5) / slots)
                top, bottom = y(stacked[i] + value), y(stacked[i])
                bars.append(Bar(round(centre - (slot - gap) / 2, 1), top,
                                round(slot - gap, 1), round(bottom - top, 1), title))
                stacked[i] += value
        out.append(BarSeries(label, bars))
    return BarChart(frame, out)
