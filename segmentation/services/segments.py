"""Saved segments: create, change, delete, and freeze one into a snapshot list.

``segment_snapshot_create(*, tenant, segment, actor=None, note="") -> SegmentSnapshot`` is the
campaigns app's entry point: it writes who is in the segment now (with their tier and score)
into SegmentSnapshotMember in ONE ``INSERT ... SELECT`` over segment_members' query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from crm.audit import audit_log
from crm.models import Tenant
from customers.models import ProductCategory
from segmentation.models import RunStatus, ScoreRun, Segment, SegmentSnapshot, Tier
from segmentation.segment_selectors import segment_members

# The segment's own fields a form may set (tiers and categories are set separately).
SEGMENT_FIELDS = (
    "name",
    "description",
    "owner",
    "outside_groups",
    "regions",
    "cities",
    "industries",
    "acquisition_channels",
    "lifecycle_stages",
    "kinds",
    "growth_bands",
    "customer_classes",
    "last_purchase_after",
    "last_purchase_before",
    "tags",
    "consent_channel",
    "score_min",
    "score_max",
    "extra_criteria",
    "strategy_type",
    "strategy",
)


class SegmentError(Exception):
    """A segment change that cannot be made; the message is for the user."""


def _related(*, tenant: Tenant, model, items: Iterable[Any]) -> list[Any]:
    items = list(items or [])
    if any(item.tenant_id != tenant.pk for item in items):
        raise SegmentError(_("A chosen tier or category does not belong to this company."))
    return items


def _save(*, tenant: Tenant, segment: Segment, data: Mapping[str, Any]) -> Segment:
    for name in SEGMENT_FIELDS:
        if name in data:
            setattr(segment, name, data[name])
    tiers = _related(
        tenant=tenant,
        model=Tier,
        items=data.get("tiers", segment.tiers.all() if segment.pk else []),
    )
    categories = _related(
        tenant=tenant,
        model=ProductCategory,
        items=data.get("categories", segment.categories.all() if segment.pk else []),
    )
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as exc:
        if "segment_name_per_tenant" in str(exc):
            raise SegmentError(_("A segment with this name already exists.")) from exc
        raise SegmentError(_("The segment's criteria contradict each other.")) from exc
    segment.tiers.set(tiers)
    segment.categories.set(categories)
    return segment


@transaction.atomic
def segment_create(*, tenant: Tenant, actor, data: Mapping[str, Any]) -> Segment:
    segment = _save(tenant=tenant, segment=Segment(tenant=tenant), data=data)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.segment.created",
        target=segment,
        data={"name": segment.name, "strategy_type": segment.strategy_type},
    )
    return segment


@transaction.atomic
def segment_update(*, tenant: Tenant, segment: Segment, actor, data: Mapping[str, Any]) -> Segment:
    if segment.tenant_id != tenant.pk:
        raise SegmentError(_("This segment belongs to another company."))
    segment = _save(tenant=tenant, segment=segment, data=data)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.segment.changed",
        target=segment,
        data={"name": segment.name, "strategy_type": segment.strategy_type},
    )
    return segment


@transaction.atomic
def segment_delete(*, tenant: Tenant, segment: Segment, actor) -> None:
    """Delete a segment; its snapshots stay (with the segment's name)."""
    if segment.tenant_id != tenant.pk:
        raise SegmentError(_("This segment belongs to another company."))
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.segment.deleted",
        target=segment,
        data={"name": segment.name},
    )
    segment.delete()


@transaction.atomic
def segment_snapshot_create(
    *, tenant: Tenant, segment: Segment, actor=None, note: str = ""
) -> SegmentSnapshot:
    """Freeze who is in `segment` now into a snapshot (one INSERT ... SELECT)."""
    if segment.tenant_id != tenant.pk:
        raise SegmentError(_("This segment belongs to another company."))
    run = (
        ScoreRun.objects.with_scopes_disabled()
        .filter(tenant=tenant, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )
    snapshot = SegmentSnapshot.objects.with_scopes_disabled().create(
        tenant=tenant,
        segment=segment,
        segment_name=segment.name,
        run=run,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    members = segment_members(tenant=tenant, segment=segment).values(
        "pk", "facts__tier_id", "score__score"
    )
    query, params = members.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO segmentation_segmentsnapshotmember "
            "(tenant_id, snapshot_id, customer_id, tier_id, score) "
            f"SELECT %s, %s, m.id, m.tier_id, m.score FROM ({query}) AS m(id, tier_id, score)",
            [tenant.pk, snapshot.pk, *params],
        )
        snapshot.members_count = cursor.rowcount
    snapshot.save(update_fields=["members_count"])
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.segment.frozen",
        target=snapshot,
        data={"segment": segment.pk, "name": segment.name, "customers": snapshot.members_count},
    )
    return snapshot
