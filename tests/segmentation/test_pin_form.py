"""The pin form is drawn when asked for: the customer page links it in a closed section that
loads it with htmx when opened, and the same URL answers GET with the form as a page (no
JavaScript) or as the partial; who may open it, as for pinning itself."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from segmentation.models import CustomerScore
from segmentation.services import scores_recompute
from tests.factories import CustomerFactory
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def scored(tenant):
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, base = use_tiers(tenant, 50, 50)
    low, high = customer(tenant), customer(tenant)
    buy(low, 100)
    buy(high, 300)
    scores_recompute(tenant=tenant, now=timezone.now())
    return {"top": top, "base": base, "low": low, "high": high}


def pin_url(tenant, customer_id: int) -> str:
    return reverse(
        "segmentation:pin", kwargs={"tenant_slug": tenant.slug, "customer_id": customer_id}
    )


def detail_url(tenant, customer_id: int) -> str:
    return reverse(
        "customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": customer_id}
    )


def test_customer_page_links_the_pin_form_without_drawing_it(manager_client, tenant, scored):
    url = pin_url(tenant, scored["low"].pk)

    body = manager_client.get(detail_url(tenant, scored["low"].pk)).content.decode()

    assert f'hx-get="{url}" hx-trigger="toggle once"' in body
    assert f'<a href="{url}">' in body  # without JavaScript
    assert 'name="until"' not in body  # the pin form's own field


def test_opening_the_section_loads_the_form_with_the_tenants_tiers(manager_client, tenant, scored):
    response = manager_client.get(pin_url(tenant, scored["low"].pk), **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'action="{pin_url(tenant, scored["low"].pk)}"' in body
    assert 'name="reason"' in body and 'name="until"' in body
    assert f'<option value="{scored["top"].pk}">' in body
    assert f'<option value="{scored["base"].pk}">' in body


def test_without_javascript_the_form_is_a_page_leading_back_to_the_customer(
    manager_client, tenant, scored
):
    response = manager_client.get(pin_url(tenant, scored["low"].pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert 'name="reason"' in body
    assert f'href="{detail_url(tenant, scored["low"].pk)}"' in body


def test_the_form_posts_to_pinning(manager_client, tenant, scored):
    body = manager_client.get(pin_url(tenant, scored["low"].pk), **HTMX).content.decode()
    assert 'method="post"' in body

    response = manager_client.post(
        pin_url(tenant, scored["low"].pk), {"tier": scored["top"].pk, "reason": "VIP"}
    )

    assert response.status_code == 302
    with scopes_disabled():
        assert CustomerScore.objects.get(customer=scored["low"]).tier == scored["top"]


def test_the_pin_form_is_403_for_sales(sales_client, tenant, scored):
    assert sales_client.get(pin_url(tenant, scored["low"].pk), **HTMX).status_code == 403
    assert sales_client.get(pin_url(tenant, scored["low"].pk)).status_code == 403


@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_the_pin_form_is_404_outside_the_tenant(request, tenant, scored, stranger):
    client = request.getfixturevalue(stranger)
    assert client.get(pin_url(tenant, scored["low"].pk), **HTMX).status_code == 404


def test_the_pin_form_of_another_tenants_customer_is_404(manager_client, tenant, other_tenant):
    with scopes_disabled():
        theirs = CustomerFactory(tenant=other_tenant)

    assert manager_client.get(pin_url(tenant, theirs.pk), **HTMX).status_code == 404
