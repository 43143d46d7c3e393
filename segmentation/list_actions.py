""" "Add to segment": segmentation's bulk action on the customer list's selection, registered
into customers/list_extensions.py from SegmentationConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.models import Tenant
from customers.list_actions import ListActionError
from segmentation.models import Segment
from segmentation.services.hand_picked import segment_customers_add
from segmentation.services.segments import SegmentError


def segment_choices(*, tenant: Tenant) -> list[tuple[int, str]]:
    """The tenant's segments for the action's select (one query)."""
    return list(
        Segment.objects.filter(tenant=tenant).order_by("name", "id").values_list("pk", "name")
    )


def customers_add_to_segment(
    *, tenant: Tenant, actor: Any, customer_ids: list[int], value: Any
) -> int:
    """Hand-pick the selected customers into the tenant's segment `value` (its id)."""
    segment = Segment.objects.filter(tenant=tenant, pk=value).first()
    if segment is None:
        raise ListActionError(_("Choose one of this company's segments."))
    try:
        return segment_customers_add(
            tenant=tenant, actor=actor, segment=segment, customer_ids=customer_ids
        )
    except SegmentError as exc:
        raise ListActionError(str(exc)) from exc


def added_message(count: int) -> str:
    return ngettext(
        "%(count)s customer added to the segment.",
        "%(count)s customers added to the segment.",
        count,
    ) % {"count": count}
