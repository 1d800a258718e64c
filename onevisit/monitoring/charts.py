"""Recent readings as small SVG line charts with their axes (no JavaScript library, no CDN)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onevisit.monitoring.factors import factor_label

# the plot area inside a 360 x 110 drawing: room on the left for values, below for times
WIDTH, HEIGHT, LEFT, TOP = 300, 80, 52, 6


@dataclass(frozen=True)
class Series:
    factor: str
    kind: str
    points: str  # the SVG polyline's points
    last: float
    low: float
    high: float
    count: int
    first_time: dt.datetime | None = None
    last_time: dt.datetime | None = None

    @property
    def label(self) -> str:
        return factor_label(self.factor, self.kind)


def series_of(readings: list[tuple[str, str, dt.datetime, float]]) -> list[Series]:
    grouped: dict[tuple[str, str], list[tuple[dt.datetime, float]]] = {}
    for factor, kind, when, value in readings:
        grouped.setdefault((factor, kind), []).append((when, value))
    out = []
    for (factor, kind), values in sorted(grouped.items()):
        first, last = values[0][0], values[-1][0]
        span = (last - first).total_seconds() or 1.0
        low = min(v for _, v in values)
        high = max(v for _, v in values)
        rise = (high - low) or 1.0
        points = " ".join(
            f"{LEFT + WIDTH * (when - first).total_seconds() / span:.1f},"
            f"{TOP + HEIGHT - HEIGHT * (value - low) / rise:.1f}"
            for when, value in values
        )
        out.append(Series(factor, kind, points, values[-1][1], low, high, len(values), first, last))
    return out
