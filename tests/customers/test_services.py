"""Services: what each change does, and what it refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import AuditEntry
from customers.models import (
    ConsentRecord,
    ConsentSource,
    Customer,
    FeedbackStatus,
    LifecycleStage,
    TransactionStatus,
)
from customers.services import (
    CustomerError,
    consent_record,
    customer_archive,
    customer_create,
    customer_restore,
    customer_update,
    feedback_open,
    feedback_resolve,
    feedback_update,
    interaction_log,
    transaction_record,
)
from tests.factories import (
    FeedbackFactory,
    ProductCategoryFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("tenant_scope")


def _actions(tenant):
    return list(
        AuditEntry.objects.filter(tenant=tenant).order_by("id").values_list("action", flat=True)
    )


def test_create_fills_region_from_the_province_and_spells_it_officially(tenant, sales_user):
    customer = customer_create(
        tenant=tenant, actor=sales_user, first_name="Ali", last_name="Kaya", city="izmir"
    )
    assert (customer.city, customer.region) == ("İzmir", "Ege")


def test_create_leaves_region_empty_for_a_foreign_city(tenant, sales_user):
    customer = customer_create(
        tenant=tenant, actor=sales_user, first_name="Hans", city="Berlin", country="DE"
    )
    assert (customer.city, customer.region) == ("Berlin", "")


def test_create_lower_cases_the_email(tenant, sales_user):
    customer = customer_create(
        tenant=tenant, actor=sales_user, first_name="Ali", email=" Ali.Kaya@Example.COM "
    )
    assert customer.email == "ali.kaya@example.com"


def test_create_stores_the_phone_in_e164(tenant, sales_user):
    customer = customer_create(
        tenant=tenant, actor=sales_user, first_name="Ali", phone="0532 123 45 67"
    )
    customer.refresh_from_db()
    assert customer.phone.as_e164 == "+905321234567"


def test_create_refuses_an_invalid_tckn(tenant, sales_user):
    with pytest.raises(CustomerError):
        customer_create(tenant=tenant, actor=sales_user, first_name="Ali", tax_number="10000000147")


def test_create_refuses_an_owner_from_another_tenant(tenant, sales_user, other_tenant_admin):
    with pytest.raises(CustomerError):
        customer_create(tenant=tenant, actor=sales_user, first_name="Ali", owner=other_tenant_admin)


def test_create_refuses_a_referrer_of_another_tenant(tenant, sales_user, other_customer):
    with pytest.raises(CustomerError):
        customer_create(
            tenant=tenant, actor=sales_user, first_name="Ali", referred_by=other_customer
        )


def test_create_writes_an_audit_entry(tenant, sales_user):
    customer_create(tenant=tenant, actor=sales_user, first_name="Ali")
    assert _actions(tenant) == ["customers.customer.created"]


def test_terminating_without_reason_is_refused(tenant, sales_user, customer):
    with pytest.raises(CustomerError):
        customer_update(
            tenant=tenant,
            actor=sales_user,
            customer=customer,
            lifecycle_stage=LifecycleStage.TERMINATED,
        )


def test_terminating_with_reason_is_audited_with_the_reason(tenant, sales_user, customer):
    customer_update(
        tenant=tenant,
        actor=sales_user,
        customer=customer,
        lifecycle_stage=LifecycleStage.TERMINATED,
        termination_reason="Rakibe geçti",
    )
    entry = AuditEntry.objects.get(tenant=tenant, action="customers.lifecycle.changed")
    assert entry.data == {"from": "prospect", "to": "terminated", "reason": "Rakibe geçti"}


def test_update_records_which_fields_changed(tenant, sales_user, customer):
    customer_update(
        tenant=tenant, actor=sales_user, customer=customer, industry="Tekstil", last_name="Yılmaz"
    )
    entry = AuditEntry.objects.get(tenant=tenant, action="customers.customer.updated")
    assert entry.data == {"fields": ["industry"]}


def test_archive_then_restore(tenant, sales_user, customer):
    customer_archive(tenant=tenant, actor=sales_user, customer=customer)
    assert Customer.objects.get(pk=customer.pk).archived_at is not None
    customer_restore(tenant=tenant, actor=sales_user, customer=customer)
    assert Customer.objects.get(pk=customer.pk).archived_at is None
    assert _actions(tenant) == ["customers.customer.archived", "customers.customer.restored"]


def test_archiving_twice_is_refused(tenant, sales_user, customer):
    customer_archive(tenant=tenant, actor=sales_user, customer=customer)
    with pytest.raises(CustomerError):
        customer_archive(tenant=tenant, actor=sales_user, customer=customer)


def test_consent_record_sets_the_flag_and_keeps_history(tenant, sales_user, customer):
    consent_record(
        tenant=tenant,
        actor=sales_user,
        customer=customer,
        channel="email",
        granted=True,
        source=ConsentSource.WEB_FORM,
    )
    customer.refresh_from_db()
    assert customer.consent_email is True
    assert ConsentRecord.objects.filter(customer=customer).count() == 1


def test_backdated_withdrawal_does_not_override_a_newer_grant(tenant, sales_user, customer):
    now = timezone.now()
    consent_record(
        tenant=tenant,
        actor=sales_user,
        customer=customer,
        channel="sms",
        granted=True,
        source=ConsentSource.IYS,
        recorded_at=now - timedelta(days=1),
    )
    consent_record(
        tenant=tenant,
        actor=sales_user,
        customer=customer,
        channel="sms",
        granted=False,
        source=ConsentSource.SIGNED_FORM,
        recorded_at=now - timedelta(days=10),
    )
    customer.refresh_from_db()
    assert customer.consent_sms is True


def test_consent_withdrawal_is_audited(tenant, sales_user, customer):
    consent_record(
        tenant=tenant,
        actor=sales_user,
        customer=customer,
        channel="phone",
        granted=False,
        source=ConsentSource.PHONE_CALL,
    )
    assert _actions(tenant) == ["customers.consent.withdrawn"]


def test_sale_takes_its_category_from_the_product(tenant, sales_user, customer):
    product = ProductFactory(tenant=tenant)
    other_category = ProductCategoryFactory(tenant=tenant, name="Başka")
    sale = transaction_record(
        tenant=tenant,
        actor=sales_user,
        customer=customer,
        amount=Decimal("250.00"),
        product=product,
        category=other_category,
    )
    assert sale.category == product.category


def test_sale_with_a_product_of_another_tenant_is_refused(
    tenant, other_tenant, sales_user, customer
):
    product = ProductFactory(tenant=other_tenant)
    with pytest.raises(CustomerError):
        transaction_record(
            tenant=tenant, actor=sales_user, customer=customer, amount=Decimal("1"), product=product
        )


def test_negative_sale_is_refused(tenant, sales_user, customer):
    with pytest.raises(CustomerError):
        transaction_record(tenant=tenant, actor=sales_user, customer=customer, amount=Decimal("-5"))


def test_sale_to_an_archived_customer_is_refused(tenant, sales_user, customer):
    customer_archive(tenant=tenant, actor=sales_user, customer=customer)
    customer.refresh_from_db()
    with pytest.raises(CustomerError):
        transaction_record(tenant=tenant, actor=sales_user, customer=customer, amount=Decimal("5"))


def test_sale_is_recorded_as_completed_by_default(tenant, sales_user, customer):
    sale = transaction_record(
        tenant=tenant, actor=sales_user, customer=customer, amount=Decimal("99.90")
    )
    assert (sale.status, sale.amount, sale.recorded_by) == (
        TransactionStatus.COMPLETED,
        Decimal("99.90"),
        sales_user,
    )


def test_interaction_log_records_who(tenant, sales_user, customer):
    contact = interaction_log(
        tenant=tenant, actor=sales_user, customer=customer, channel="phone", subject="Teklif"
    )
    assert contact.user == sales_user


def test_feedback_assignee_must_be_a_member(tenant, sales_user, customer):
    with pytest.raises(CustomerError):
        feedback_open(
            tenant=tenant,
            actor=sales_user,
            customer=customer,
            kind="complaint",
            text="Geç geldi",
            assignee=UserFactory(username="yabanci"),
        )


def test_feedback_nps_out_of_range_is_refused(tenant, sales_user, customer):
    with pytest.raises(CustomerError):
        feedback_open(
            tenant=tenant, actor=sales_user, customer=customer, kind="survey", nps_score=11
        )


def test_resolving_sets_time_and_time_to_resolution(tenant, sales_user, customer):
    opened = timezone.now() - timedelta(hours=30)
    feedback = FeedbackFactory(customer=customer, opened_at=opened)
    resolved = feedback_resolve(
        tenant=tenant,
        actor=sales_user,
        feedback=feedback,
        resolution="Ürün değiştirildi",
        resolved_at=opened + timedelta(hours=26),
    )
    assert resolved.status == FeedbackStatus.RESOLVED
    assert resolved.time_to_resolution == timedelta(hours=26)
    entry = AuditEntry.objects.get(tenant=tenant, action="customers.feedback.resolved")
    assert entry.data == {"hours_to_resolution": 26.0}


def test_resolving_without_resolution_text_is_refused(tenant, sales_user, customer):
    feedback = FeedbackFactory(customer=customer)
    with pytest.raises(CustomerError):
        feedback_resolve(tenant=tenant, actor=sales_user, feedback=feedback, resolution="  ")


def test_reopening_clears_the_resolution(tenant, sales_user, customer):
    feedback = FeedbackFactory(customer=customer)
    feedback_resolve(tenant=tenant, actor=sales_user, feedback=feedback, resolution="Tamam")
    reopened = feedback_update(
        tenant=tenant, actor=sales_user, feedback=feedback, status=FeedbackStatus.OPEN
    )
    assert (reopened.status, reopened.resolved_at, reopened.resolution) == ("open", None, "")


def test_assigning_feedback_is_audited(tenant, sales_user, manager_user, customer):
    feedback = FeedbackFactory(customer=customer)
    feedback_update(tenant=tenant, actor=sales_user, feedback=feedback, assignee=manager_user)
    entry = AuditEntry.objects.get(tenant=tenant, action="customers.feedback.updated")
    assert entry.data == {"assignee": manager_user.pk}
