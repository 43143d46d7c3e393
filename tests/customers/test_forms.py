"""Forms: field-level errors a user understands, and choices limited to the tenant."""

import pytest

from customers.forms import ConsentForm, CustomerForm, FeedbackForm, TransactionForm
from customers.selectors import tenant_members
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.usefixtures("tenant_scope")


def _customer_form(tenant, data, instance=None):
    return CustomerForm(
        data, instance=instance, tenant=tenant, members=tenant_members(tenant=tenant)
    )


def _valid_person(**overrides):
    data = {
        "kind": "person",
        "first_name": "Ayşe",
        "last_name": "Kaya",
        "country": "TR",
        "lifecycle_stage": "prospect",
        "preferred_language": "tr",
    }
    return {**data, **overrides}


def test_a_valid_person_is_accepted(tenant):
    form = _customer_form(tenant, _valid_person(tags="vip, toptan , vip"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tags"] == ["toptan", "vip"]


def test_person_without_name_gets_an_error_on_first_name(tenant):
    form = _customer_form(tenant, _valid_person(first_name="", last_name=""))
    assert "first_name" in form.errors


def test_company_without_company_name_gets_an_error_on_company_name(tenant):
    form = _customer_form(tenant, _valid_person(kind="company"))
    assert "company_name" in form.errors


def test_termination_without_reason_gets_an_error_on_the_reason(tenant):
    form = _customer_form(tenant, _valid_person(lifecycle_stage="terminated"))
    assert form.errors["termination_reason"] == ["Give a reason when you terminate a customer."]


def test_invalid_tckn_gets_a_checksum_error(tenant):
    form = _customer_form(tenant, _valid_person(tax_number="10000000147"))
    assert "tax_number" in form.errors


def test_valid_vkn_is_accepted(tenant):
    form = _customer_form(tenant, _valid_person(tax_number="4540536920"))
    assert form.is_valid(), form.errors


def test_invalid_phone_gets_an_error(tenant):
    form = _customer_form(tenant, _valid_person(phone="0532 12"))
    assert "phone" in form.errors


def test_invalid_email_gets_an_error(tenant):
    form = _customer_form(tenant, _valid_person(email="ali@"))
    assert "email" in form.errors


def test_foreign_city_is_allowed(tenant):
    form = _customer_form(tenant, _valid_person(city="Berlin", country="DE"))
    assert form.is_valid(), form.errors


def test_unknown_country_code_is_refused(tenant):
    form = _customer_form(tenant, _valid_person(country="XX"))
    assert "country" in form.errors


def test_referred_by_choices_exclude_other_tenants(tenant, customer, other_customer):
    form = _customer_form(tenant, None)
    assert list(form.fields["referred_by"].queryset) == [customer]


def test_referred_by_of_another_tenant_is_refused(tenant, other_customer):
    form = _customer_form(tenant, _valid_person(referred_by=other_customer.pk))
    assert "referred_by" in form.errors


def test_referred_by_choices_exclude_the_customer_itself(tenant, customer):
    form = _customer_form(tenant, None, instance=customer)
    assert customer not in form.fields["referred_by"].queryset


def test_owner_choices_are_the_tenants_members(tenant, sales_user, other_tenant_admin):
    form = _customer_form(tenant, None)
    assert list(form.fields["owner"].queryset) == [sales_user]


def test_owner_from_another_tenant_is_refused(tenant, sales_user, other_tenant_admin):
    form = _customer_form(tenant, _valid_person(owner=other_tenant_admin.pk))
    assert "owner" in form.errors


def test_taken_external_id_gets_an_error(tenant):
    CustomerFactory(tenant=tenant, external_id="ERP-9")
    form = _customer_form(tenant, _valid_person(external_id="ERP-9"))
    assert "external_id" in form.errors


def test_same_email_as_another_customer_is_not_an_error(tenant):
    CustomerFactory(tenant=tenant, email="ali@example.com")
    form = _customer_form(tenant, _valid_person(email="ali@example.com"))
    assert form.is_valid(), form.errors


def test_referred_by_widget_renders_only_the_chosen_customer(tenant, customer):
    CustomerFactory(tenant=tenant, first_name="Zeynep", last_name="Başka")
    html = _customer_form(tenant, None).as_p()
    assert "Zeynep" not in html


def test_sale_form_refuses_a_product_of_another_tenant(tenant, other_tenant):
    product = ProductFactory(tenant=other_tenant)
    form = TransactionForm(
        {
            "amount": "10",
            "currency": "TRY",
            "quantity": "1",
            "status": "completed",
            "occurred_at": "2026-01-05T10:00",
            "product": product.pk,
        },
        tenant=tenant,
    )
    assert "product" in form.errors


def test_sale_form_refuses_a_negative_amount(tenant):
    form = TransactionForm(
        {
            "amount": "-10",
            "currency": "TRY",
            "quantity": "1",
            "status": "completed",
            "occurred_at": "2026-01-05T10:00",
        },
        tenant=tenant,
    )
    assert form.errors["amount"] == ["The amount cannot be negative."]


def test_complaint_without_text_gets_an_error(tenant):
    form = FeedbackForm({"kind": "complaint"}, members=tenant_members(tenant=tenant))
    assert "text" in form.errors


def test_nps_out_of_range_gets_an_error(tenant):
    form = FeedbackForm(
        {"kind": "survey", "nps_score": "11"}, members=tenant_members(tenant=tenant)
    )
    assert "nps_score" in form.errors


def test_consent_in_the_future_gets_an_error():
    form = ConsentForm(
        {
            "channel": "email",
            "granted": "1",
            "source": "web_form",
            "recorded_at": "2999-01-01T10:00",
        }
    )
    assert "recorded_at" in form.errors
