"""The tier and score cells of the customer list, written in Python (customers/list_cells.py
says why). `score` is the customer's CustomerScore with its tier, or None."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext

from crm.decimals import format_decimal
from crm.html import format_html
from customers.list_cells import DASH, muted, nowrap
from segmentation.models import CustomerScore, ScoreStatus

# The tier's colour square, as templates/segmentation/_tier_swatch.html draws it.
SWATCH = (
    '<svg class="me-1 align-baseline" width="12" height="12" aria-hidden="true">'
    '<rect width="12" height="12" rx="2" fill="{}"/></svg>'
)


def tier_html(score: CustomerScore | None) -> SafeString:
    if score is not None and score.tier is not None:
        return format_html(
            '<span class="badge text-bg-light border text-body-emphasis">' + SWATCH + "{}</span>",
            score.tier.colour or "#adb5bd",
            score.tier.name,
        )
    if score is not None and score.status == ScoreStatus.INACTIVE:
        return muted(gettext("Inactive"))
    if score is not None and score.status == ScoreStatus.PROSPECT:
        return muted(gettext("Prospect"))
    return DASH


def score_html(score: CustomerScore | None) -> SafeString:
    if score is None or score.score is None:
        return DASH
    return nowrap(format_decimal(score.score, places=1))
