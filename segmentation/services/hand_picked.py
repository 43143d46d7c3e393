"""Hand-picked customers of a segment: "Add to segment" on the customer list and removing one
from the segment's page. Both audited; adding is one INSERT ... SELECT whatever the selection.

A hand-picked customer is in the segment whatever its criteria say (segment_selectors)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from segmentation.models import HandPickedCustomer, Segment
from segmentation.services.segments import SegmentError


@transaction.atomic
def segment_customers_add(
    *, tenant: Tenant, actor: Any, segment: Segment, customer_ids: list[int]
) -> int:
    """Hand-pick the selected customers into `segment`; returns how many were added (those
    already hand-picked, archived or of another company are skipped in the same statement)."""
    if segment.tenant_id != tenant.pk:
        raise SegmentError(_("This segment belongs to another company."))
    user = user_or_none(actor)
    with connection.cursor() as cursor:
        # Only the tenant's own active customers are read: another tenant's ids add nothing.
        cursor.execute(
            "INSERT INTO segmentation_handpickedcustomer "
            "(tenant_id, segment_id, customer_id, added_by_id, added_at) "
            "SELECT %s, %s, c.id, %s, now() FROM customers_customer c "
            "WHERE c.tenant_id = %s AND c.id = ANY(%s) AND c.archived_at IS NULL "
            "ON CONFLICT (segment_id, customer_id) DO NOTHING",
            [tenant.pk, segment.pk, getattr(user, "pk", None), tenant.pk, list(customer_ids)],
        )
        added = cursor.rowcount
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.segment.customers_added",
        target=segment,
        data={"name": segment.name, "selected": len(customer_ids), "added": added},
    )
    return added


@transaction.atomic
def segment_customer_remove(
    *, tenant: Tenant, actor: Any, segment: Segment, customer_id: int
) -> bool:
    """Take a hand-picked customer out of `segment` (its criteria may still include them).
    Returns False when the customer was not hand-picked."""
    if segment.tenant_id != tenant.pk:
        raise SegmentError(_("This segment belongs to another company."))
    removed, _by_model = HandPickedCustomer.objects.filter(
        tenant=tenant, segment=segment, customer_id=customer_id
    ).delete()
    if removed:
        audit_log(
            tenant=tenant,
            actor=actor,
            action="segmentation.segment.customer_removed",
            target=segment,
            data={"name": segment.name, "customer": customer_id},
        )
    return bool(removed)
