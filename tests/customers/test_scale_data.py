"""The set-based scale data generator, on a small size: counts, constraints, tenant isolation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from crm.models import Membership, Tenant
from customers import scale_data
from customers.models import (
    ConsentRecord,
    Customer,
    Feedback,
    Interaction,
    LifecycleStage,
    Transaction,
)
from customers.regions import region_for_city
from customers.scale_data import ScaleDataSize, scale_data_generate
from customers.validators import validate_turkish_tax_number

SMALL = ScaleDataSize(customers=200, transactions=2000, interactions=400, feedback=40)


def _generate(tenant, size=SMALL, seed=7):
    with scope(tenant=tenant):
        return scale_data_generate(tenant=tenant, size=size, seed=seed)


@pytest.fixture
def generated(tenant):
    _generate(tenant)
    return tenant


@pytest.mark.django_db
def test_generates_exactly_the_customers_and_purchases_asked_for(generated):
    with scopes_disabled():
        assert Customer.objects.filter(tenant=generated).count() == 200
        assert Transaction.objects.filter(tenant=generated).count() == 2000


@pytest.mark.django_db
def test_generates_contacts_feedback_and_consent_evidence(generated):
    with scopes_disabled():
        assert Interaction.objects.filter(tenant=generated).count() == 400
        # Feedback picks skip prospects, so a few of the 40 draws fall away.
        assert 20 <= Feedback.objects.filter(tenant=generated).count() <= 40
        consented = Customer.objects.filter(tenant=generated, consent_email=True).count()
        evidence = ConsentRecord.objects.filter(
            tenant=generated, channel="email", granted=True
        ).count()
    assert consented == evidence > 0


@pytest.mark.django_db
def test_about_a_fifth_are_companies_with_a_company_name_only(generated):
    with scopes_disabled():
        companies = Customer.objects.filter(tenant=generated, kind="company")
        assert 20 <= companies.count() <= 60
        assert not companies.filter(Q(company_name="") | ~Q(first_name="")).exists()


@pytest.mark.django_db
def test_tax_numbers_pass_the_checksums(generated):
    with scopes_disabled():
        tax_numbers = list(
            Customer.objects.filter(tenant=generated)
            .exclude(tax_number="")
            .values_list("kind", "tax_number")
        )
    assert tax_numbers
    for kind, number in tax_numbers:
        validate_turkish_tax_number(number)
        assert len(number) == (10 if kind == "company" else 11)


@pytest.mark.django_db
def test_phones_are_valid_turkish_mobile_numbers(generated):
    with scopes_disabled():
        phones = list(
            Customer.objects.filter(tenant=generated)
            .exclude(phone="")
            .values_list("phone", flat=True)
        )
    assert phones
    for phone in phones:
        parsed = phonenumbers.parse(str(phone))
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


@pytest.mark.django_db
def test_regions_agree_with_the_provinces(generated):
    with scopes_disabled():
        pairs = set(Customer.objects.filter(tenant=generated).values_list("city", "region"))
    assert all(region == region_for_city(city) != "" for city, region in pairs)


@pytest.mark.django_db
def test_referrers_are_earlier_customers_of_the_same_tenant(generated):
    with scopes_disabled():
        referred = Customer.objects.filter(tenant=generated, referred_by__isnull=False)
        assert referred.exists()
        assert not referred.exclude(referred_by__tenant=generated).exists()
        assert not referred.filter(referred_by__id__gte=F("id")).exists()
        assert not referred.exclude(acquisition_channel="referral").exists()


@pytest.mark.django_db
def test_prospects_never_bought_and_buyers_did(generated):
    with scopes_disabled():
        customers = Customer.objects.filter(tenant=generated).annotate(
            purchases=Count("transactions")
        )
        assert customers.filter(lifecycle_stage=LifecycleStage.PROSPECT).exists()
        assert not customers.filter(lifecycle_stage=LifecycleStage.PROSPECT, purchases__gt=0)
        assert not customers.exclude(lifecycle_stage=LifecycleStage.PROSPECT).filter(purchases=0)


@pytest.mark.django_db
def test_lapsed_customers_last_bought_over_a_year_ago(generated):
    year_ago = timezone.now() - timedelta(days=365)
    with scopes_disabled():
        lapsed = Customer.objects.filter(
            tenant=generated, lifecycle_stage=LifecycleStage.LAPSED
        ).annotate(last=Max("transactions__occurred_at"))
        assert lapsed.exists()
        assert not lapsed.filter(last__gte=year_ago).exists()


@pytest.mark.django_db
def test_purchases_fall_between_acquisition_and_today(generated):
    with scopes_disabled():
        purchases = Transaction.objects.filter(tenant=generated)
        assert not purchases.filter(occurred_at__date__lt=F("customer__acquired_on")).exists()
        assert not purchases.filter(occurred_at__gt=timezone.now()).exists()
        assert not Interaction.objects.filter(occurred_at__gt=timezone.now()).exists()
        assert not Feedback.objects.filter(opened_at__gt=timezone.now()).exists()
        assert not Customer.objects.filter(created_at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_costs_leave_a_margin_of_ten_to_sixty_percent(generated):
    with scopes_disabled():
        purchases = Transaction.objects.filter(tenant=generated, cost__isnull=False)
        assert not purchases.filter(cost__gt=F("amount") * Decimal("0.9") + Decimal("0.01"))
        assert not purchases.filter(cost__lt=F("amount") * Decimal("0.4") - Decimal("0.01"))


@pytest.mark.django_db
def test_a_fifth_of_the_customers_bring_most_of_the_revenue(generated):
    with scopes_disabled():
        revenue = sorted(
            (
                row["revenue"] or Decimal("0")
                for row in Customer.objects.filter(tenant=generated)
                .annotate(revenue=Sum("transactions__amount"))
                .values("revenue")
            ),
            reverse=True,
        )
    top_fifth = sum(revenue[: len(revenue) // 5])
    assert top_fifth > Decimal("0.5") * sum(revenue)


@pytest.mark.django_db
def test_owners_are_sales_members_of_the_tenant(generated):
    members = set(Membership.objects.filter(tenant=generated).values_list("user_id", flat=True))
    with scopes_disabled():
        owners = set(
            Customer.objects.filter(tenant=generated, owner__isnull=False).values_list(
                "owner_id", flat=True
            )
        )
    assert owners and owners <= members


@pytest.mark.django_db
def test_two_tenants_keep_their_rows_apart(tenant, other_tenant):
    _generate(tenant, seed=1)
    _generate(other_tenant, seed=2)
    with scopes_disabled():
        for model in (Transaction, Interaction, Feedback, ConsentRecord):
            assert not model.objects.exclude(tenant=F("customer__tenant")).exists()
        assert not Transaction.objects.exclude(tenant=F("product__tenant")).exists()
        assert not Transaction.objects.exclude(tenant=F("category__tenant")).exists()
        assert not Customer.objects.filter(referred_by__isnull=False).exclude(
            tenant=F("referred_by__tenant")
        )
        assert Customer.objects.filter(tenant=other_tenant).count() == 200


@pytest.mark.django_db
def test_running_again_appends_with_fresh_external_ids(generated):
    _generate(generated, seed=8)
    with scopes_disabled():
        customers = Customer.objects.filter(tenant=generated)
        transactions = Transaction.objects.filter(tenant=generated)
        assert customers.count() == 400
        assert customers.values("external_id").distinct().count() == 400
        assert transactions.values("external_id").distinct().count() == 4000


@pytest.mark.django_db
def test_bulk_path_puts_every_index_and_foreign_key_back(tenant, monkeypatch):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'customers_%' "
                "UNION ALL SELECT conname FROM pg_constraint "
                "WHERE conrelid::regclass::text LIKE 'customers_%' AND contype = 'f'"
            )
            return sorted(row[0] for row in cursor.fetchall())

    before = schema()
    monkeypatch.setattr(scale_data, "BULK_THRESHOLD", 0)
    result = _generate(tenant)
    assert schema() == before
    assert any("rebuild" in step for step in result.seconds)


@pytest.mark.django_db
def test_command_creates_the_tenant_when_missing():
    call_command("generate_scale_data", tenant="olcek", customers=30, transactions=90)
    tenant = Tenant.objects.get(slug="olcek")
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant).count() == 30
        assert Transaction.objects.filter(tenant=tenant).count() == 90
