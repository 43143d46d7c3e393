"""A manager pins a customer's tier from the customer page, in Chromium: the form is not in the
page until its section is opened (htmx loads it), and pinning shows the pin on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from segmentation.models import CustomerScore
from segmentation.services import scores_recompute
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_opens_the_pin_section_and_pins_a_tier(page, live_server, tenant, manager_user):
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, _base = use_tiers(tenant, 50, 50)
    low, high = customer(tenant), customer(tenant)
    buy(low, 100)
    buy(high, 300)
    scores_recompute(tenant=tenant, now=timezone.now())
    sign_in(page, live_server, manager_user)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(
        live_server.url
        + reverse("customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": low.pk})
    )

    assert page.locator("textarea[name=reason]").count() == 0  # not drawn with the page
    page.get_by_text("Pin a tier by hand").first.click()
    page.locator("select[name=tier]").select_option(str(top.pk))  # waits for the form
    page.locator("textarea[name=reason]").fill("Stratejik müşteri")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Pin", exact=True).click()

    page.get_by_text("The customer's tier is pinned.").wait_for()
    assert "Stratejik müşteri" in page.locator("#panel-score").inner_text()
    with scopes_disabled():
        assert CustomerScore.objects.get(customer=low).tier == top
    assert errors == []
