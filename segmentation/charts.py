"""Geometry of the dashboard's server-rendered SVG charts (the templates draw them): the
pyramid, tier sizes over runs (stacked columns) and the vertical breakdown's bars. No
JavaScript: the pages are readable as they come and print as they look."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from segmentation.dashboard_selectors import Cell, Level, RunSizes

PYRAMID_WIDTH = 360
TIER_HEIGHT = 56
OUTSIDE_HEIGHT = 34
GAP = 4


@dataclass(frozen=True)
class PyramidShape:
    level: Level
    points: str  # SVG polygon points
    text_y: int
    is_tier: bool


def pyramid_shapes(levels: list[Level]) -> tuple[list[PyramidShape], int]:
    """A triangle cut into one band per tier (peak on top), then a bar per group outside the
    pyramid; returns the shapes and the drawing's height."""
    tiers = [level for level in levels if level.tier is not None]
    outside = [level for level in levels if level.tier is None]
    centre = PYRAMID_WIDTH / 2
    height = len(tiers) * TIER_HEIGHT

    def half(y: float) -> float:
        return centre * y / height if height else centre

    shapes = []
    for index, level in enumerate(tiers):
        top, bottom = index * TIER_HEIGHT, (index + 1) * TIER_HEIGHT - GAP
        points = [
            (centre - half(top), top),
            (centre + half(top), top),
            (centre + half(bottom), bottom),
            (centre - half(bottom), bottom),
        ]
        shapes.append(PyramidShape(level, _points(points), top + TIER_HEIGHT // 2, True))
    y = height + GAP * 2
    for level in outside:
        bottom = y + OUTSIDE_HEIGHT - GAP
        points = [(0, y), (PYRAMID_WIDTH, y), (PYRAMID_WIDTH, bottom), (0, bottom)]
        shapes.append(PyramidShape(level, _points(points), y + OUTSIDE_HEIGHT // 2, False))
        y += OUTSIDE_HEIGHT
    return shapes, y


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Column:
    x: float
    label: str
    total: int
    bars: list[Bar]


CHART_HEIGHT = 160
COLUMN_WIDTH = 34
COLUMN_GAP = 14


def tier_size_columns(history: list[RunSizes], levels: list[Level]) -> tuple[list[Column], int]:
    """One stacked column per run (oldest left), a block per level in the pyramid's order
    (peak on top); returns the columns and the drawing's width."""
    totals = [sum(entry.sizes.values()) for entry in history]
    scale = CHART_HEIGHT / max(totals) if totals and max(totals) else 0
    columns = []
    for index, (entry, total) in enumerate(zip(history, totals, strict=True)):
        x = index * (COLUMN_WIDTH + COLUMN_GAP)
        y = CHART_HEIGHT
        bars = []
        for level in reversed(levels):
            count = entry.sizes.get(level.key, 0)
            if not count:
                continue
            height = count * scale
            y -= height
            bars.append(Bar(x, y, COLUMN_WIDTH, height, level.colour, f"{level.label}: {count}"))
        label = entry.run.finished_at.strftime("%d.%m") if entry.run.finished_at else ""
        columns.append(Column(x, label, total, bars))
    width = max(len(history) * (COLUMN_WIDTH + COLUMN_GAP), COLUMN_WIDTH)
    return columns, width


@dataclass(frozen=True)
class BreakdownBar:
    cell: Cell
    y: float
    level_width: float
    base_width: float


BAR_AREA = 300
ROW_HEIGHT = 30


def breakdown_bars(cells: list[Cell]) -> tuple[list[BreakdownBar], int]:
    """Per value: the level's share of customers (upper bar) over the whole base's (lower)."""
    largest = max(
        [cell.customer_share or Decimal(0) for cell in cells]
        + [cell.base_customer_share or Decimal(0) for cell in cells]
        + [Decimal(1)]
    )
    scale = Decimal(BAR_AREA) / largest
    bars = [
        BreakdownBar(
            cell,
            index * ROW_HEIGHT,
            float((cell.customer_share or 0) * scale),
            float((cell.base_customer_share or 0) * scale),
        )
        for index, cell in enumerate(cells)
    ]
    return bars, max(len(cells), 1) * ROW_HEIGHT
