"""Leads: one identity per person, the status flow and its database constraints, and the
conversion into a customer — by hand, or at the first purchase, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from acquisition.models import Conversion, Lead, LeadStatus
from acquisition.services import (
    AcquisitionError,
    lead_create,
    lead_status_change,
    lead_update,
    leads_convert_buyers,
)
from crm.models import AuditEntry
from customers.models import Customer, LifecycleStage, TransactionStatus
from customers.services import transaction_record
from tests.acquisition.conftest import buy, make_campaign, make_lead
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def refreshed(lead: Lead) -> Lead:
    with scopes_disabled():
        return Lead.objects.select_related("customer").get(pk=lead.pk)


def conversions(tenant) -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(tenant=tenant, action="acquisition.lead.converted").count()


# --- one identity ---


def test_a_lead_is_a_prospect_customer_with_the_sources_channel(tenant, campaign):
    lead = make_lead(
        tenant, email="zeynep@example.com", campaign=campaign, source_detail="  Fuar   2026 "
    )

    assert lead.customer.lifecycle_stage == LifecycleStage.PROSPECT
    assert lead.customer.acquisition_channel == "event"
    assert (lead.status, lead.campaign, lead.source_detail) == (
        LeadStatus.NEW, campaign, "Fuar 2026",
    )  # fmt: skip
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant).count() == 1


def test_an_existing_prospect_becomes_a_lead_without_a_second_customer(tenant):
    prospect = CustomerFactory(tenant=tenant)
    with scopes_disabled():
        lead = lead_create(tenant=tenant, actor=None, source="referral", customer=prospect)
        assert Customer.objects.filter(tenant=tenant).count() == 1
    assert lead.customer == prospect


def test_a_customer_who_already_bought_cannot_become_a_lead(tenant):
    active = CustomerFactory(tenant=tenant, lifecycle_stage=LifecycleStage.ACTIVE)
    with scopes_disabled(), pytest.raises(AcquisitionError, match="already a customer"):
        lead_create(tenant=tenant, actor=None, source="referral", customer=active)


def test_a_customer_is_a_lead_once(tenant, lead):
    with scopes_disabled(), pytest.raises(AcquisitionError, match="already a lead"):
        lead_create(tenant=tenant, actor=None, source="event", customer=lead.customer)


def test_another_tenants_customer_cannot_become_a_lead(tenant, other_tenant):
    foreign = CustomerFactory(tenant=other_tenant)
    with scopes_disabled(), pytest.raises(AcquisitionError):
        lead_create(tenant=tenant, actor=None, source="event", customer=foreign)


def test_a_due_date_needs_a_next_step(tenant, lead):
    with scopes_disabled(), pytest.raises(AcquisitionError, match="next step"):
        lead_update(tenant=tenant, actor=None, lead=lead, next_step_due=timezone.localdate())


# --- the status flow ---


def test_the_flow_runs_new_contacted_qualified(tenant, lead):
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="contacted")
        lead = lead_status_change(tenant=tenant, actor=None, lead=lead, status="qualified")
    assert refreshed(lead).status == LeadStatus.QUALIFIED


def test_a_new_lead_cannot_jump_to_qualified(tenant, lead):
    with scopes_disabled(), pytest.raises(AcquisitionError, match="from New to Qualified"):
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="qualified")
    assert refreshed(lead).status == LeadStatus.NEW


def test_losing_a_lead_needs_a_reason(tenant, lead):
    with scopes_disabled(), pytest.raises(AcquisitionError, match="why"):
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="lost", reason="  ")


def test_a_lost_lead_keeps_its_reason_and_can_be_reopened(tenant, lead):
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="lost", reason="Bütçe yok")
        assert refreshed(lead).lost_reason == "Bütçe yok"
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="new")
    assert (refreshed(lead).status, refreshed(lead).lost_reason) == (LeadStatus.NEW, "")


def test_status_changes_are_audited(tenant, lead):
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="contacted")
        entry = AuditEntry.objects.get(tenant=tenant, action="acquisition.lead.status_changed")
    assert entry.data == {"from": "new", "to": "contacted", "reason": ""}


def test_the_database_refuses_a_lost_lead_without_a_reason(lead):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.LOST, lost_reason="")


def test_the_database_refuses_a_won_lead_without_a_conversion(lead):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.WON)


def test_the_database_refuses_a_conversion_of_an_open_lead(lead):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(
            converted_at=timezone.now(), conversion=Conversion.MANUAL
        )


def test_the_database_refuses_an_unknown_status(lead):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status="maybe")


# --- the lead's campaign: one of its own company's acquisition campaigns ---


def test_another_companys_campaign_is_refused(tenant, other_campaign):
    with pytest.raises(AcquisitionError, match="one of this company's"):
        make_lead(tenant, campaign=other_campaign)


def test_a_campaign_with_another_objective_is_refused(tenant):
    retention = make_campaign(tenant, name="Sadakat", objective="retention")
    with pytest.raises(AcquisitionError, match="objective is acquisition"):
        make_lead(tenant, campaign=retention)


def test_changing_to_another_companys_campaign_is_refused(tenant, lead, other_campaign):
    with scopes_disabled(), pytest.raises(AcquisitionError):
        lead_update(tenant=tenant, actor=None, lead=lead, campaign=other_campaign)
    assert refreshed(lead).campaign is None


def test_a_campaign_kept_as_it_was_stays_after_its_objective_changed(tenant, campaign):
    lead = make_lead(tenant, campaign=campaign)
    with scopes_disabled():
        type(campaign).objects.filter(pk=campaign.pk).update(objective="retention")
        lead_update(tenant=tenant, actor=None, lead=lead, campaign=campaign, next_step="Ara")
    assert (refreshed(lead).campaign, refreshed(lead).next_step) == (campaign, "Ara")


def test_the_database_refuses_another_companys_campaign_on_a_lead(lead, other_campaign):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(campaign=other_campaign)


def test_the_database_refuses_another_companys_campaign_on_a_cost(tenant, other_campaign):
    from acquisition.models import AcquisitionCost

    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        AcquisitionCost.objects.create(
            tenant=tenant, month="2026-10-01", channel="web", campaign=other_campaign, amount=1
        )


def test_the_database_refuses_a_due_date_without_a_next_step(lead):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(next_step_due=timezone.localdate())


def test_the_database_keeps_one_lead_per_customer(tenant, lead):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.create(tenant=tenant, customer=lead.customer, source="event")


# --- conversion ---


def test_winning_by_hand_makes_the_prospect_a_new_customer(tenant, lead):
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="won")
    lead = refreshed(lead)
    assert (lead.status, lead.conversion) == (LeadStatus.WON, Conversion.MANUAL)
    assert lead.customer.lifecycle_stage == LifecycleStage.NEW
    assert lead.customer.acquired_on == timezone.localdate(timezone=tenant.zone)
    assert (lead.source, lead.campaign, lead.source_detail) == ("event", None, "")


def test_a_won_lead_cannot_be_won_again(tenant, lead):
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="won")
        with pytest.raises(AcquisitionError, match="already won"):
            lead_status_change(tenant=tenant, actor=None, lead=lead, status="won")
    assert conversions(tenant) == 1


def test_the_first_purchase_converts_the_lead_once(tenant, lead):
    first = timezone.now() - timedelta(days=2)
    buy(lead.customer, occurred_at=first)
    buy(lead.customer, occurred_at=first + timedelta(days=1))

    with scopes_disabled():
        assert leads_convert_buyers(tenant=tenant) == 1
        assert leads_convert_buyers(tenant=tenant) == 0
    lead = refreshed(lead)
    assert (lead.status, lead.conversion, lead.converted_at) == (
        LeadStatus.WON,
        Conversion.PURCHASE,
        first,
    )
    assert lead.customer.lifecycle_stage == LifecycleStage.NEW
    assert lead.customer.acquired_on == first.astimezone(tenant.zone).date()
    assert conversions(tenant) == 1


def test_a_refunded_purchase_does_not_convert(tenant, lead):
    buy(lead.customer, status=TransactionStatus.REFUNDED)
    with scopes_disabled():
        assert leads_convert_buyers(tenant=tenant) == 0
    assert refreshed(lead).status == LeadStatus.NEW


def test_a_lead_won_by_hand_is_not_converted_again_at_its_purchase(tenant, lead):
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="won")
    buy(lead.customer)
    with scopes_disabled():
        assert leads_convert_buyers(tenant=tenant) == 0
    assert refreshed(lead).conversion == Conversion.MANUAL


def test_a_lost_lead_that_buys_after_all_is_won(tenant, lead):
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=lead, status="lost", reason="Fiyat")
    buy(lead.customer)
    with scopes_disabled():
        assert leads_convert_buyers(tenant=tenant) == 1
    assert refreshed(lead).status == LeadStatus.WON


def test_conversion_stays_within_the_tenant(tenant, other_tenant, lead, other_lead):
    buy(lead.customer)
    buy(other_lead.customer)
    with scopes_disabled():
        assert leads_convert_buyers(tenant=tenant) == 1
    assert refreshed(other_lead).status == LeadStatus.NEW


def test_conversion_restricted_to_given_customers(tenant, lead):
    second = make_lead(tenant, first_name="Mert")
    buy(lead.customer)
    buy(second.customer)
    with scopes_disabled():
        assert leads_convert_buyers(tenant=tenant, customer_ids=[second.customer_id]) == 1
    assert (refreshed(lead).status, refreshed(second).status) == (LeadStatus.NEW, LeadStatus.WON)


def test_a_sale_on_the_customer_page_converts_the_lead_after_commit(
    tenant, lead, django_capture_on_commit_callbacks
):
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        transaction_record(tenant=tenant, actor=None, customer=lead.customer, amount="250.00")
    assert refreshed(lead).status == LeadStatus.WON
    assert conversions(tenant) == 1
    # The same sale announced again (a handler must be idempotent) converts nobody.
    from customers.events import transactions_recorded

    with scopes_disabled():
        sale_ids = list(lead.customer.transactions.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        transactions_recorded(tenant_id=tenant.pk, transaction_ids=sale_ids)
    assert conversions(tenant) == 1


def test_an_import_job_converts_its_buyers_through_a_task(
    tenant, lead, settings, django_capture_on_commit_callbacks
):
    from customers.events import transactions_recorded

    settings.CELERY_TASK_ALWAYS_EAGER = True
    buy(lead.customer)
    with django_capture_on_commit_callbacks(execute=True):
        transactions_recorded(tenant_id=tenant.pk, import_job_id=12345)
    assert refreshed(lead).status == LeadStatus.WON
    assert conversions(tenant) == 1
