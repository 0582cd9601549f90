"""Geometry for the small bar charts of the overview, drawn as SVG by templates.

Drawn on the server: no chart library, no script, no inline styles (colours come
from CSS classes), so the charts work under a strict CSP and without JavaScript.
Every chart has a table with the same numbers next to it, for screen readers and
for reading exact figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    """One bar of a column chart: across in per cent of the chart's width (its
    text keeps its size at any width: no scaled-down 6 px labels on a phone), up in
    pixels of the plot."""

    label: str  # under the bar: the month
    note: str  # under the label: the year, on the first bar and each January
    value: Decimal
    value_label: str  # above the bar, short: "45k"
    x: float  # per cent
    width: float  # per cent
    y: float  # px from the top
    height: float  # px

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 3)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    ticks: list[Tick]
    left: float  # per cent taken by the value axis
    top: int  # px above the plot (room for value labels)
    plot_height: int
    height: int  # of the whole chart

    @property
    def tick_x(self) -> float:
        """Where the value axis's labels end, just left of the plot."""
        return self.left - 1

    @property
    def baseline(self) -> float:
        return self.top + self.plot_height

    @property
    def crowded(self) -> bool:
        """More bars than leave room for every value label on a phone."""
        return len(self.columns) > 12


def column_chart(
    points: list[tuple[str, str, Decimal]],
    *,
    short: Callable[[Decimal], str],
    plot_height: int = 170,
    top: int = 22,
    bottom: int = 40,
    left: float = 11.0,
) -> ColumnChart:
    """A column chart of (label, note, value) points with a value axis of round steps
    from 0 (negatives drawn as 0, their value label still says it): `short` writes
    the values of the axis and above the bars."""
    top_value = max((value for _label, _note, value in points), default=Decimal(0))
    step = nice_step(top_value / 4) if top_value > 0 else Decimal(1)
    steps = max(1, math.ceil(top_value / step)) if top_value > 0 else 4
    scale_top = step * steps
    ticks = [
        Tick(round(top + plot_height - float(step * index / scale_top) * plot_height, 1), short(step * index))
        for index in range(steps + 1)
    ]
    slot = (100 - left) / len(points) if points else 0
    bars = []
    for index, (label, note, value) in enumerate(points):
        height = round(_share(value, scale_top) * plot_height, 1)
        bars.append(
            Column(
                label,
                note,
                value,
                short(value),
                x=round(left + index * slot + slot * 0.15, 3),
                width=round(slot * 0.7, 3),
                y=round(top + plot_height - height, 1),
                height=height,
            )
        )
    return ColumnChart(bars, ticks, left, top, plot_height, top + plot_height + bottom)


def nice_step(rough: Decimal) -> Decimal:
    """The round step (1, 2, 2.5 or 5 times a power of ten) at or above `rough`."""
    if rough <= 0:
        return Decimal(1)
    power = Decimal(10) ** rough.adjusted()
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if power * factor >= rough:
            return power * factor
    return power * 10


def columns(points: list[tuple[str, Decimal]], *, width: int = 640, height: int = 180, gap: int = 6) -> list[Bar]:
    """Vertical bars in SVG units, one per point, scaled to the largest value (negatives
    drawn as 0): the payments page's chart of the next 30 days."""
    if not points:
        return []
    top = max((value for _label, value in points), default=Decimal(0)) or Decimal(1)
    slot = width / len(points)
    return [
        Bar(
            label,
            value,
            x=round(index * slot + gap / 2, 1),
            y=round(height - _share(value, top) * height, 1),
            width=round(slot - gap, 1),
            height=round(_share(value, top) * height, 1),
        )
        for index, (label, value) in enumerate(points)
    ]


def rows(points: list[tuple[str, Decimal]], *, width: int = 420, bar_height: int = 22, gap: int = 8) -> list[Bar]:
    """Horizontal bars, one per point, scaled to the largest value."""
    top = max((value for _label, value in points), default=Decimal(0)) or Decimal(1)
    return [
        Bar(label, value, x=0, y=index * (bar_height + gap), width=round(_share(value, top) * width, 1), height=bar_height)
        for index, (label, value) in enumerate(points)
    ]


def _share(value: Decimal, top: Decimal) -> float:
    return max(0.0, float(value / top)) if top > 0 else 0.0
