"""The report's chart, drawn on the server as SVG geometry (no JavaScript, no CDN): one bar
per channel for the acquisition cost per won customer, one for the conversion rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BAR_HEIGHT = 18
GAP = 10
LABEL_WIDTH = 170
BAR_SPACE = 330  # the longest bar, in SVG units


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    bar_space: int = BAR_SPACE

    @property
    def total_width(self) -> int:
        return self.label_width + self.bar_space + 110


def _bars(pairs: list[tuple[str, Decimal | None]]) -> Chart:
    largest = max((value for _label, value in pairs if value), default=Decimal(0))
    bars = []
    for index, (label, value) in enumerate(pairs):
        width = int(BAR_SPACE * value / largest) if value and largest else 0
        bars.append(Bar(label, value, GAP + index * (BAR_HEIGHT + GAP), max(width, 0)))
    return Chart(bars=bars, height=GAP + len(bars) * (BAR_HEIGHT + GAP))


def cost_per_won_chart(lines) -> Chart:
    return _bars([(line.label, line.cost_per_won_customer) for line in lines])
