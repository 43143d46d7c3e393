"""A tenant with a synthetic BG/NBD customer base, and settings a small base can predict on."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scopes_disabled

from prediction.services import settings_for
from tests.prediction.factories import load_purchases, synthetic_rows

START = date(2025, 1, 1)
AS_OF = date(2025, 12, 31)


@pytest.fixture
def small_base_settings(tenant):
    with scopes_disabled():
        settings = settings_for(tenant=tenant)
        settings.min_repeat_buyers = 50
        settings.save()
    return settings


@pytest.fixture
def synthetic_base(tenant, small_base_settings):
    rows = synthetic_rows(customers=400, start=START, days=(AS_OF - START).days + 1)
    return load_purchases(tenant, rows)
