"""The demo data loader behind `make run`: a coherent, tenant-owned, realistically skewed set."""

from __future__ import annotations

from decimal import Decimal

import phonenumbers
import pytest
from django.db.models import Count, F, Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from crm.demo import demo_loaders
from customers.demo import load_demo_data
from customers.models import (
    ConsentRecord,
    Customer,
    Feedback,
    Interaction,
    LifecycleStage,
    Product,
    ProductCategory,
    Transaction,
)
from customers.validators import validate_turkish_tax_number

TENANT_OWNED = (
    Customer,
    Transaction,
    Interaction,
    Feedback,
    ConsentRecord,
    Product,
    ProductCategory,
)


@pytest.fixture
def demo_tenant(tenant, sales_user, manager_user):
    with scope(tenant=tenant):
        load_demo_data(tenant=tenant, size="small")
    return tenant


def test_customers_demo_loader_is_registered_first():
    loaders = demo_loaders()
    assert loaders[0].key == "customers"
    assert loaders[0].load is load_demo_data


@pytest.mark.django_db
def test_small_demo_has_three_hundred_customers_with_history(demo_tenant):
    with scopes_disabled():
        assert Customer.objects.filter(tenant=demo_tenant).count() == 300
        assert Transaction.objects.filter(tenant=demo_tenant).count() > 1000
        assert Interaction.objects.filter(tenant=demo_tenant).count() > 300
        assert Feedback.objects.filter(tenant=demo_tenant).count() > 30
        assert ConsentRecord.objects.filter(tenant=demo_tenant).count() > 100
        assert Product.objects.filter(tenant=demo_tenant).count() > 20


@pytest.mark.django_db
def test_load_returns_a_line_saying_what_it_made(tenant):
    with scope(tenant=tenant):
        line = load_demo_data(tenant=tenant, size="small")
    assert line.startswith("customers: 300 customers")


@pytest.mark.django_db
def test_every_row_belongs_to_the_tenant_and_none_to_another(demo_tenant, other_tenant):
    with scopes_disabled():
        for model in TENANT_OWNED:
            assert model.objects.filter(tenant=demo_tenant).exists(), model
            assert not model.objects.filter(tenant=other_tenant).exists(), model


@pytest.mark.django_db
def test_no_row_points_into_another_tenant(demo_tenant, other_tenant):
    with scope(tenant=other_tenant):
        load_demo_data(tenant=other_tenant, size="small")
    with scopes_disabled():
        for model in (Transaction, Interaction, Feedback, ConsentRecord):
            assert not model.objects.exclude(tenant=F("customer__tenant")).exists(), model
        assert not Transaction.objects.exclude(tenant=F("product__tenant")).exists()
        assert not Transaction.objects.exclude(tenant=F("category__tenant")).exists()
        assert not Product.objects.exclude(tenant=F("category__tenant")).exists()


@pytest.mark.django_db
def test_referrals_point_to_earlier_customers_of_the_same_tenant(demo_tenant):
    with scopes_disabled():
        referred = Customer.objects.filter(tenant=demo_tenant, referred_by__isnull=False)
        assert referred.count() > 10
        assert not referred.exclude(referred_by__tenant=demo_tenant).exists()
        assert not referred.filter(referred_by__acquired_on__gt=F("acquired_on")).exists()
        assert not referred.exclude(acquisition_channel="referral").exists()


@pytest.mark.django_db
def test_top_fifth_of_customers_bring_more_than_half_the_revenue(demo_tenant):
    with scopes_disabled():
        revenue = sorted(
            (
                row["revenue"] or Decimal("0")
                for row in Customer.objects.filter(tenant=demo_tenant)
                .annotate(revenue=Sum("transactions__amount"))
                .values("revenue")
            ),
            reverse=True,
        )
    assert sum(revenue[:60]) > Decimal("0.5") * sum(revenue)


@pytest.mark.django_db
def test_owners_are_the_tenants_sales_staff(demo_tenant, sales_user, manager_user):
    with scopes_disabled():
        owners = set(
            Customer.objects.filter(tenant=demo_tenant, owner__isnull=False).values_list(
                "owner_id", flat=True
            )
        )
    assert owners == {sales_user.pk, manager_user.pk}


@pytest.mark.django_db
def test_prospects_have_no_purchases_and_the_terminated_a_reason(demo_tenant):
    with scopes_disabled():
        customers = Customer.objects.filter(tenant=demo_tenant).annotate(
            purchases=Count("transactions")
        )
        assert not customers.filter(lifecycle_stage=LifecycleStage.PROSPECT, purchases__gt=0)
        assert not customers.filter(
            lifecycle_stage=LifecycleStage.TERMINATED, termination_reason=""
        ).exists()


@pytest.mark.django_db
def test_consent_flags_have_a_record_saying_when_and_how(demo_tenant):
    with scopes_disabled():
        for customer in Customer.objects.filter(tenant=demo_tenant, consent_sms=True):
            latest = customer.consent_records.filter(channel="sms").order_by("-recorded_at")[0]
            assert latest.granted
            assert latest.source
            assert latest.recorded_at.date() == customer.acquired_on


@pytest.mark.django_db
def test_phones_are_valid_turkish_mobiles_and_tax_numbers_valid(demo_tenant):
    with scopes_disabled():
        customers = list(Customer.objects.filter(tenant=demo_tenant))
    for customer in customers:
        if customer.phone:
            parsed = phonenumbers.parse(str(customer.phone))
            assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
        if customer.tax_number:
            validate_turkish_tax_number(customer.tax_number)


@pytest.mark.django_db
def test_names_have_turkish_letters(demo_tenant):
    with scopes_disabled():
        names = " ".join(
            Customer.objects.filter(tenant=demo_tenant).values_list("display_name", flat=True)
        )
    assert set("İıŞşĞğÇçÖöÜü") & set(names) >= set("ıŞşğçöü")


@pytest.mark.django_db
def test_loading_again_adds_customers_with_unique_external_ids(demo_tenant):
    with scope(tenant=demo_tenant):
        load_demo_data(tenant=demo_tenant, size="small")
    with scopes_disabled():
        customers = Customer.objects.filter(tenant=demo_tenant)
        assert customers.count() == 600
        assert customers.values("external_id").distinct().count() == 600


@pytest.mark.django_db
def test_nothing_happens_in_the_future(demo_tenant):
    now = timezone.now()
    with scopes_disabled():
        assert not Transaction.objects.filter(tenant=demo_tenant, occurred_at__gt=now).exists()
        assert not Interaction.objects.filter(tenant=demo_tenant, occurred_at__gt=now).exists()
        assert not Feedback.objects.filter(tenant=demo_tenant, opened_at__gt=now).exists()
        assert not Customer.objects.filter(tenant=demo_tenant, created_at__gt=now).exists()
