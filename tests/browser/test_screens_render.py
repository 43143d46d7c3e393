"""The second half's screens in a real browser: the segment builder's main path (create a
segment, land on its page), and every other new page opened by the role that uses it, with its
heading shown and no JavaScript or Content-Security-Policy error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from segmentation.models import Segment
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_builds_a_segment_and_lands_on_its_page(
    page, live_server, tenant, manager_user, console_errors
):
    sign_in(page, live_server, manager_user)
    page.goto(
        live_server.url + reverse("segmentation:segments", kwargs={"tenant_slug": tenant.slug})
    )
    assert serious_violations(page) == []
    page.goto(
        live_server.url
        + reverse("segmentation:segment_create", kwargs={"tenant_slug": tenant.slug})
    )
    page.locator("#id_name").fill("Sadık Marmara müşterileri")
    # The choice triggers the live count; let it answer before submitting, or the
    # navigation aborts it and htmx logs the abort as a console error.
    with page.expect_response(lambda response: "preview" in response.url):
        page.locator("#id_strategy_type").select_option(index=1)
    page.locator("#id_name").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).last.click()
    page.wait_for_load_state()

    with scopes_disabled():
        segment = Segment.objects.get(tenant=tenant)
    assert segment.name == "Sadık Marmara müşterileri"
    assert page.url.endswith(
        reverse(
            "segmentation:segment",
            kwargs={"tenant_slug": tenant.slug, "segment_id": segment.pk},
        )
    )
    assert page.get_by_role("heading", name="Sadık Marmara müşterileri").first.is_visible()
    assert console_errors == []


# (url name, needs a customer id, the role that opens it)
SCREENS = [
    ("segmentation:class_settings", False, "admin"),
    ("segmentation:cell_customers", False, "manager"),
    ("loyalty:statement", True, "sales"),
    ("prediction:backtest", False, "manager"),
    ("acquisition:list", False, "sales"),
    ("acquisition:create", False, "sales"),
    ("acquisition:import", False, "manager"),
    ("acquisition:costs", False, "manager"),
    ("campaigns:rules", False, "manager"),
]


@pytest.mark.parametrize(("name", "with_customer", "role"), SCREENS)
def test_screen_opens_with_its_heading_and_no_errors(
    request, page, live_server, tenant, name, with_customer, role, console_errors
):
    user = request.getfixturevalue(f"{role}_user")
    kwargs = {"tenant_slug": tenant.slug}
    if with_customer:
        kwargs["customer_id"] = CustomerFactory(tenant=tenant).pk
    sign_in(page, live_server, user)

    response = page.goto(live_server.url + reverse(name, kwargs=kwargs))

    assert response.status == 200
    assert page.locator("h1").first.is_visible()
    assert console_errors == []
