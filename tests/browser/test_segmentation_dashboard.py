"""The dashboard's main path in a real browser: a manager opens the pyramid, clicks a tier, then
a cell of its vertical breakdown, and lands on the customer list of exactly those customers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.segmentation import dashboard_base

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_goes_from_the_pyramid_to_a_tier_to_a_cells_customers(
    page, live_server, tenant, manager_user, console_errors
):
    base = dashboard_base.build(tenant)
    level_3 = base["tiers"][2]
    sign_in(page, live_server, manager_user, language="en")

    page.goto(
        live_server.url + reverse("segmentation:pyramid", kwargs={"tenant_slug": tenant.slug})
    )
    assert page.locator("svg polygon").count() == 5  # three tiers, inactive, prospects
    assert serious_violations(page) == []
    page.locator(f'a[data-level="{level_3.pk}"]').click()
    page.wait_for_url(f"**/scores/levels/{level_3.pk}/")
    # Split by region (the default): Level 3 holds C (Bursa) and D (İstanbul), both Marmara.
    page.locator('a[data-value="Marmara"]').click()
    page.wait_for_url(f"**/customers/?tier={level_3.pk}&region=Marmara")

    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    listed = " ".join(rows.all_inner_texts())
    assert "Canan Can" in listed and "Demir Ltd." in listed
    assert console_errors == []
