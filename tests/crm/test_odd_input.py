"""Odd input is refused early, in one place (crm.odd_input), with 400 instead of a 500: the
cases the security review found, and plausible input still getting through."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory


def duplicates_url(tenant) -> str:
    return reverse("customers:duplicate_check", kwargs={"tenant_slug": tenant.slug})


@pytest.mark.parametrize(
    "query",
    [
        {"email": "ali\x00@example.com"},
        {"tax_number": "1234\x005678"},
        {"exclude": "9" * 5000},
        {"exclude": "99999999999999999999"},
        {"phone": "x" * 5000},
    ],
    ids=["nul-email", "nul-tax-number", "5000-digits", "20-digits", "overlong"],
)
def test_the_duplicate_check_refuses_odd_values_with_400(sales_client, tenant, query):
    response = sales_client.get(duplicates_url(tenant), query)

    assert response.status_code == 400
    assert "This request cannot be handled." in response.text


def test_the_duplicate_check_still_answers_plausible_values(sales_client, tenant):
    customer = CustomerFactory(tenant=tenant, email="ali@example.com")

    response = sales_client.get(
        duplicates_url(tenant), {"email": "ali@example.com", "exclude": str(customer.pk + 1)}
    )

    assert response.status_code == 200
    assert [candidate.customer for candidate in response.context["duplicates"]] == [customer]


def test_a_nul_byte_in_an_admin_list_filter_is_refused(admin_client_, tenant):
    admin_client_.get(reverse("configuration_enter", kwargs={"tenant_slug": tenant.slug}))

    response = admin_client_.get(
        reverse("admin:crm_auditentry_changelist"), {"action__exact": "crm\x00"}
    )

    assert response.status_code == 400


def test_a_nul_byte_in_a_posted_form_is_refused(sales_client, tenant):
    response = sales_client.post(
        reverse("customers:create", kwargs={"tenant_slug": tenant.slug}),
        urlencode({"kind": "person", "first_name": "Ali\x00", "last_name": "Kaya"}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400


def test_a_long_text_in_a_posted_form_is_left_to_the_form(sales_client, tenant):
    response = sales_client.post(
        reverse("customers:create", kwargs={"tenant_slug": tenant.slug}),
        {"kind": "person", "first_name": "A" * 5000},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["first_name"]


def test_the_refusal_speaks_turkish(client, db):
    response = client.get(reverse("login"), {"next": "\x00"})

    assert response.status_code == 400
    assert "Bu istek işlenemiyor." in response.text
