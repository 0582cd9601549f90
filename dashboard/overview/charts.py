"""Geometry for the small bar charts of the overview, drawn as SVG by templates.

Drawn on the server: no chart library, no script, no inline styles (colours come
from CSS classes), so the charts work under a strict CSP and without JavaScript.
Every chart has a table with the same numbers next to it for screen readers.
"""

from __future__ import annotations

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


def columns(points: list[tuple[str, Decimal]], *, width: int = 640, height: int = 180, gap: int = 6) -> list[Bar]:
    """Vertical bars, one per point, scaled to the largest value (negatives drawn as 0)."""
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
