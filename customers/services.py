"""Changes to customers and what happens with them: create/update/archive, lifecycle, consent,
sales, contacts and feedback. Keyword-only, atomic, raising CustomerError for the user."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Membership, Tenant
from customers.activity import customer_activity_refresh
from customers.events import transactions_recorded
from customers.models import (
    CONSENT_FIELD_BY_CHANNEL,
    ConsentRecord,
    ConsentSource,
    Customer,
    CustomerKind,
    Feedback,
    FeedbackStatus,
    Interaction,
    InteractionDirection,
    LifecycleStage,
    Product,
    ProductCategory,
    Transaction,
    TransactionStatus,
)
from customers.regions import canonical_province, region_for_city


class CustomerError(Exception):
    """A change the user asked for that cannot be made; the message is for the user."""


# What create/update may set; consent goes through consent_record (it needs evidence).
CUSTOMER_FIELDS = frozenset(
    {
        "kind",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "phone",
        "address",
        "city",
        "country",
        "industry",
        "tax_number",
        "acquisition_channel",
        "acquired_on",
        "referred_by",
        "owner",
        "lifecycle_stage",
        "termination_reason",
        "tags",
        "birthday",
        "preferred_channel",
        "preferred_language",
        "external_id",
        "notes",
    }
)


def _check_member(*, tenant: Tenant, user: Any, what: str) -> None:
    if user is not None and not Membership.objects.filter(tenant=tenant, user=user).exists():
        raise CustomerError(_("The %(what)s must be a member of this company.") % {"what": what})


def _check_same_tenant(*, tenant: Tenant, obj: Any, what: str) -> None:
    if obj is not None and obj.tenant_id != tenant.id:
        raise CustomerError(_("The %(what)s does not belong to this company.") % {"what": what})


def _normalised(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise TypeError(f"Unknown customer fields: {sorted(unknown)}")
    clean = dict(fields)
    for name in ("first_name", "last_name", "company_name", "industry", "external_id", "city"):
        if name in clean and clean[name] is not None:
            clean[name] = " ".join(str(clean[name]).split())
    if "email" in clean:
        clean["email"] = (clean["email"] or "").strip().lower()
    if "phone" in clean and clean["phone"] is None:
        clean["phone"] = ""
    if "tax_number" in clean:
        clean["tax_number"] = (clean["tax_number"] or "").strip()
    if "country" in clean:
        clean["country"] = (clean["country"] or "TR").strip().upper()
    if "tags" in clean:
        clean["tags"] = sorted({tag.strip() for tag in clean["tags"] or [] if tag.strip()})
    return clean


def _fill_region(customer: Customer) -> None:
    """Turkish provinces get their official spelling and their region; other cities none."""
    if customer.country == "TR":
        customer.city = canonical_province(customer.city)
        customer.region = region_for_city(customer.city)
    else:
        customer.region = ""


def _validate(customer: Customer) -> None:
    if customer.kind == CustomerKind.COMPANY and not customer.company_name:
        raise CustomerError(_("A company needs a company name."))
    if customer.kind == CustomerKind.PERSON and not (customer.first_name or customer.last_name):
        raise CustomerError(_("A person needs a first or last name."))
    if customer.lifecycle_stage == LifecycleStage.TERMINATED and not customer.termination_reason:
        raise CustomerError(_("Give a reason when you terminate a customer."))
    if customer.lifecycle_stage != LifecycleStage.TERMINATED:
        customer.termination_reason = ""
    if customer.referred_by_id is not None and customer.referred_by_id == customer.pk:
        raise CustomerError(_("A customer cannot refer themselves."))
    try:
        # Field validators: tax number checksums, email and phone formats.
        customer.full_clean(
            exclude=["tenant", "referred_by", "owner", "display_name", "name_sort_key"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise CustomerError(" ".join(exc.messages)) from exc
    if customer.external_id and (
        Customer.objects.filter(tenant=customer.tenant, external_id=customer.external_id)
        .exclude(pk=customer.pk)
        .exists()
    ):
        raise CustomerError(_("Another customer already has this external id."))


@transaction.atomic
def customer_create(*, tenant: Tenant, actor: Any, **fields: Any) -> Customer:
    clean = _normalised(fields)
    _check_same_tenant(tenant=tenant, obj=clean.get("referred_by"), what=_("referring customer"))
    _check_member(tenant=tenant, user=clean.get("owner"), what=_("owner"))
    customer = Customer(tenant=tenant, **clean)
    _fill_region(customer)
    _validate(customer)
    customer.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.customer.created",
        target=customer,
        data={"name": str(customer)},
    )
    return customer


@transaction.atomic
def customer_update(*, tenant: Tenant, actor: Any, customer: Customer, **fields: Any) -> Customer:
    _check_same_tenant(tenant=tenant, obj=customer, what=_("customer"))
    clean = _normalised(fields)
    _check_same_tenant(tenant=tenant, obj=clean.get("referred_by"), what=_("referring customer"))
    if "owner" in clean:
        _check_member(tenant=tenant, user=clean["owner"], what=_("owner"))
    customer = Customer.objects.select_for_update().get(pk=customer.pk, tenant=tenant)
    before = {name: getattr(customer, name) for name in clean}
    old_stage = customer.lifecycle_stage
    for name, value in clean.items():
        setattr(customer, name, value)
    _fill_region(customer)
    _validate(customer)
    customer.save()
    changed = sorted(name for name in clean if before[name] != getattr(customer, name))
    if changed:
        audit_log(
            tenant=tenant,
            actor=actor,
            action="customers.customer.updated",
            target=customer,
            data={"fields": changed},
        )
    if customer.lifecycle_stage != old_stage:
        _audit_lifecycle(tenant=tenant, actor=actor, customer=customer, old_stage=old_stage)
    return customer


def _audit_lifecycle(*, tenant: Tenant, actor: Any, customer: Customer, old_stage: str) -> None:
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.lifecycle.changed",
        target=customer,
        data={
            "from": old_stage,
            "to": customer.lifecycle_stage,
            "reason": customer.termination_reason,
        },
    )


@transaction.atomic
def customer_archive(*, tenant: Tenant, actor: Any, customer: Customer) -> Customer:
    """Archive rather than delete: the history (purchases, consent evidence) must stay."""
    updated = Customer.objects.filter(
        pk=customer.pk, tenant=tenant, archived_at__isnull=True
    ).update(archived_at=timezone.now())
    if not updated:
        raise CustomerError(_("This customer is already archived."))
    customer.refresh_from_db(fields=["archived_at", "updated_at"])
    audit_log(tenant=tenant, actor=actor, action="customers.customer.archived", target=customer)
    return customer


@transaction.atomic
def customer_restore(*, tenant: Tenant, actor: Any, customer: Customer) -> Customer:
    updated = Customer.objects.filter(
        pk=customer.pk, tenant=tenant, archived_at__isnull=False
    ).update(archived_at=None)
    if not updated:
        raise CustomerError(_("This customer is not archived."))
    customer.refresh_from_db(fields=["archived_at", "updated_at"])
    audit_log(tenant=tenant, actor=actor, action="customers.customer.restored", target=customer)
    return customer


def _check_active(customer: Customer) -> None:
    if customer.archived_at is not None:
        raise CustomerError(_("This customer is archived; restore them first."))


@transaction.atomic
def consent_record(
    *,
    tenant: Tenant,
    actor: Any,
    customer: Customer,
    channel: str,
    granted: bool,
    source: str,
    recorded_at: datetime | None = None,
    note: str = "",
) -> ConsentRecord:
    """Record a grant or withdrawal of consent (KVKK/İYS evidence) and update the current flag.

    The flag follows the latest record of the channel, so a back-dated record never overrides
    a newer one.
    """
    _check_same_tenant(tenant=tenant, obj=customer, what=_("customer"))
    if channel not in CONSENT_FIELD_BY_CHANNEL:
        raise CustomerError(_("Unknown consent channel."))
    if source not in ConsentSource.values:
        raise CustomerError(_("Say how the consent was given or withdrawn."))
    recorded_at = recorded_at or timezone.now()
    if recorded_at > timezone.now():
        raise CustomerError(_("Consent cannot be recorded in the future."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk, tenant=tenant)
    record = ConsentRecord.objects.create(
        tenant=tenant,
        customer=customer,
        channel=channel,
        granted=granted,
        source=source,
        recorded_at=recorded_at,
        note=note.strip(),
        recorded_by=user_or_none(actor),
    )
    latest = (
        ConsentRecord.objects.filter(tenant=tenant, customer=customer, channel=channel)
        .order_by("-recorded_at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    flag = CONSENT_FIELD_BY_CHANNEL[channel]
    Customer.objects.filter(pk=customer.pk, tenant=tenant).update(**{flag: latest})
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.consent.granted" if granted else "customers.consent.withdrawn",
        target=customer,
        data={"channel": channel, "source": source, "recorded_at": recorded_at.isoformat()},
    )
    return record


@transaction.atomic
def transaction_record(
    *,
    tenant: Tenant,
    actor: Any,
    customer: Customer,
    amount: Decimal,
    occurred_at: datetime | None = None,
    cost: Decimal | None = None,
    currency: str = "TRY",
    product: Product | None = None,
    category: ProductCategory | None = None,
    channel: str = "",
    quantity: Decimal = Decimal("1"),
    status: str = TransactionStatus.COMPLETED,
    due_date: Any = None,
    paid_date: Any = None,
    external_id: str = "",
) -> Transaction:
    """Record a sale. With a product, the category is the product's."""
    _check_same_tenant(tenant=tenant, obj=customer, what=_("customer"))
    _check_same_tenant(tenant=tenant, obj=product, what=_("product"))
    _check_same_tenant(tenant=tenant, obj=category, what=_("product category"))
    _check_active(customer)
    amount = Decimal(amount)
    if amount < 0:
        raise CustomerError(_("The amount cannot be negative."))
    if cost is not None and Decimal(cost) < 0:
        raise CustomerError(_("The cost cannot be negative."))
    if Decimal(quantity) <= 0:
        raise CustomerError(_("The quantity must be more than zero."))
    if product is not None:
        category = product.category
    sale = Transaction.objects.create(
        tenant=tenant,
        customer=customer,
        amount=amount,
        cost=None if cost is None else Decimal(cost),
        occurred_at=occurred_at or timezone.now(),
        currency=(currency or "TRY").upper(),
        product=product,
        category=category,
        channel=channel,
        quantity=Decimal(quantity),
        status=status,
        due_date=due_date,
        paid_date=paid_date,
        external_id=external_id,
        recorded_by=user_or_none(actor),
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.transaction.recorded",
        target=sale,
        data={"customer": customer.pk, "amount": str(sale.amount), "currency": sale.currency},
    )
    transactions_recorded(tenant_id=tenant.pk, transaction_ids=[sale.pk])
    return sale


@transaction.atomic
def interaction_log(
    *,
    tenant: Tenant,
    actor: Any,
    customer: Customer,
    channel: str,
    subject: str,
    direction: str = InteractionDirection.OUTBOUND,
    occurred_at: datetime | None = None,
    notes: str = "",
    outcome: str = "",
    follow_up_on: date | None = None,
    follow_up_owner: Any = None,
) -> Interaction:
    """Log a contact. With `follow_up_on`, it is a follow-up for `follow_up_owner` (the actor
    when not given) on that day's agenda."""
    _check_same_tenant(tenant=tenant, obj=customer, what=_("customer"))
    if not subject.strip():
        raise CustomerError(_("Give the contact a subject."))
    if follow_up_on is not None:
        follow_up_owner = follow_up_owner or user_or_none(actor)
        if follow_up_owner is not None:
            _check_member(tenant=tenant, user=follow_up_owner, what=_("follow-up owner"))
    else:
        follow_up_owner = None
    contact = Interaction.objects.create(
        tenant=tenant,
        customer=customer,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at or timezone.now(),
        subject=subject.strip(),
        notes=notes.strip(),
        outcome=outcome,
        user=user_or_none(actor),
        follow_up_on=follow_up_on,
        follow_up_owner=follow_up_owner,
    )
    customer_activity_refresh(tenant=tenant, customer_ids=[customer.pk])  # "last contact"
    return contact


@transaction.atomic
def follow_up_done(*, tenant: Tenant, actor: Any, contact: Interaction) -> Interaction:
    """Tick a follow-up off the agenda (done once: a second tick changes nothing)."""
    _check_same_tenant(tenant=tenant, obj=contact, what=_("contact"))
    if contact.follow_up_on is None:
        raise CustomerError(_("This contact has no follow-up."))
    updated = Interaction.objects.filter(
        tenant=tenant, pk=contact.pk, follow_up_done_at__isnull=True
    ).update(follow_up_done_at=timezone.now())
    contact.refresh_from_db(fields=["follow_up_done_at"])
    if updated:
        audit_log(
            tenant=tenant,
            actor=actor,
            action="customers.follow_up.done",
            target=contact,
            data={"customer": contact.customer_id, "due": contact.follow_up_on.isoformat()},
        )
    return contact


@transaction.atomic
def feedback_open(
    *,
    tenant: Tenant,
    actor: Any,
    customer: Customer,
    kind: str,
    text: str = "",
    nps_score: int | None = None,
    satisfaction_score: int | None = None,
    assignee: Any = None,
    opened_at: datetime | None = None,
) -> Feedback:
    _check_same_tenant(tenant=tenant, obj=customer, what=_("customer"))
    _check_member(tenant=tenant, user=assignee, what=_("assignee"))
    if nps_score is not None and not 0 <= nps_score <= 10:
        raise CustomerError(_("An NPS score is between 0 and 10."))
    if satisfaction_score is not None and not 1 <= satisfaction_score <= 5:
        raise CustomerError(_("A satisfaction score is between 1 and 5."))
    feedback = Feedback.objects.create(
        tenant=tenant,
        customer=customer,
        kind=kind,
        text=text.strip(),
        nps_score=nps_score,
        satisfaction_score=satisfaction_score,
        assignee=assignee,
        opened_at=opened_at or timezone.now(),
        created_by=user_or_none(actor),
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.feedback.opened",
        target=feedback,
        data={"customer": customer.pk, "kind": kind},
    )
    return feedback


_UNSET: Any = object()


@transaction.atomic
def feedback_update(
    *,
    tenant: Tenant,
    actor: Any,
    feedback: Feedback,
    status: str | None = None,
    assignee: Any = _UNSET,
) -> Feedback:
    """Assign feedback or move it between open and in progress (reopening clears resolution).
    Resolving goes through feedback_resolve, which needs the resolution text."""
    _check_same_tenant(tenant=tenant, obj=feedback, what=_("feedback"))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk, tenant=tenant)
    changes: dict[str, Any] = {}
    if assignee is not _UNSET and assignee != feedback.assignee:
        _check_member(tenant=tenant, user=assignee, what=_("assignee"))
        feedback.assignee = assignee
        changes["assignee"] = getattr(assignee, "pk", None)
    if status is not None and status != feedback.status:
        if status == FeedbackStatus.RESOLVED:
            raise CustomerError(_("Resolve feedback with a resolution text."))
        if status not in FeedbackStatus.values:
            raise CustomerError(_("Unknown feedback status."))
        changes["status"] = status
        feedback.status = status
        feedback.resolved_at = None
        feedback.resolution = ""
    if changes:
        feedback.save()
        audit_log(
            tenant=tenant,
            actor=actor,
            action="customers.feedback.updated",
            target=feedback,
            data=changes,
        )
    return feedback


@transaction.atomic
def feedback_resolve(
    *,
    tenant: Tenant,
    actor: Any,
    feedback: Feedback,
    resolution: str,
    resolved_at: datetime | None = None,
) -> Feedback:
    _check_same_tenant(tenant=tenant, obj=feedback, what=_("feedback"))
    if not resolution.strip():
        raise CustomerError(_("Say how the feedback was resolved."))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk, tenant=tenant)
    if feedback.status == FeedbackStatus.RESOLVED:
        raise CustomerError(_("This feedback is already resolved."))
    resolved_at = resolved_at or timezone.now()
    if resolved_at < feedback.opened_at:
        raise CustomerError(_("Feedback cannot be resolved before it was opened."))
    feedback.status = FeedbackStatus.RESOLVED
    feedback.resolved_at = resolved_at
    feedback.resolution = resolution.strip()
    feedback.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.feedback.resolved",
        target=feedback,
        data={"hours_to_resolution": round(feedback.time_to_resolution.total_seconds() / 3600, 1)},
    )
    return feedback
