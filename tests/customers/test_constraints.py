"""Invariants held by the database itself, whatever code writes the rows."""

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone
from django_scopes import scopes_disabled

from customers.models import Customer, CustomerKind, Feedback, FeedbackStatus, LifecycleStage
from tests.factories import CustomerFactory, FeedbackFactory, TransactionFactory


@pytest.fixture(autouse=True)
def _unscoped():
    with scopes_disabled():
        yield


def test_person_without_any_name_is_refused(tenant):
    with pytest.raises(IntegrityError):
        Customer.objects.create(tenant=tenant, kind=CustomerKind.PERSON)


def test_company_without_company_name_is_refused(tenant):
    with pytest.raises(IntegrityError):
        Customer.objects.create(tenant=tenant, kind=CustomerKind.COMPANY, first_name="Ali")


def test_terminated_customer_without_reason_is_refused(tenant):
    with pytest.raises(IntegrityError):
        CustomerFactory(tenant=tenant, lifecycle_stage=LifecycleStage.TERMINATED)


def test_terminated_customer_with_reason_is_accepted(tenant):
    customer = CustomerFactory(
        tenant=tenant, lifecycle_stage=LifecycleStage.TERMINATED, termination_reason="Kapandı"
    )
    assert customer.pk


def test_external_id_is_unique_within_a_tenant(tenant):
    CustomerFactory(tenant=tenant, external_id="ERP-1")
    with pytest.raises(IntegrityError):
        CustomerFactory(tenant=tenant, external_id="ERP-1")


def test_same_external_id_is_allowed_in_another_tenant(tenant, other_tenant):
    CustomerFactory(tenant=tenant, external_id="ERP-1")
    assert CustomerFactory(tenant=other_tenant, external_id="ERP-1").pk


def test_many_customers_may_have_no_external_id(tenant):
    CustomerFactory(tenant=tenant, external_id="")
    assert CustomerFactory(tenant=tenant, external_id="").pk


def test_negative_amount_is_refused(tenant):
    with pytest.raises(IntegrityError):
        TransactionFactory(customer=CustomerFactory(tenant=tenant), amount=Decimal("-1.00"))


def test_negative_cost_is_refused(tenant):
    with pytest.raises(IntegrityError):
        TransactionFactory(customer=CustomerFactory(tenant=tenant), cost=Decimal("-0.01"))


def test_nps_above_10_is_refused(tenant):
    with pytest.raises(IntegrityError):
        FeedbackFactory(customer=CustomerFactory(tenant=tenant), nps_score=11)


def test_satisfaction_of_zero_is_refused(tenant):
    with pytest.raises(IntegrityError):
        FeedbackFactory(customer=CustomerFactory(tenant=tenant), satisfaction_score=0)


def test_resolved_feedback_without_resolution_time_is_refused(tenant):
    with pytest.raises(IntegrityError):
        FeedbackFactory(customer=CustomerFactory(tenant=tenant), status=FeedbackStatus.RESOLVED)


def test_feedback_resolved_before_it_was_opened_is_refused(tenant):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        Feedback.objects.create(
            tenant=tenant,
            customer=CustomerFactory(tenant=tenant),
            kind="complaint",
            status=FeedbackStatus.RESOLVED,
            opened_at=now,
            resolved_at=now - timezone.timedelta(hours=1),
        )


def test_customer_cannot_refer_themselves(tenant):
    customer = CustomerFactory(tenant=tenant)
    customer.referred_by_id = customer.pk
    with pytest.raises(IntegrityError):
        customer.save()


def test_tax_number_must_be_digits(tenant):
    with pytest.raises(IntegrityError):
        CustomerFactory(tenant=tenant, tax_number="12345abcde")
