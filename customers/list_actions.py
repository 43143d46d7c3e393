"""Services behind the customer list's actions: bulk changes to a selection of customers (one
UPDATE each, audited) and the users' saved views."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, transaction
from django.db.models import CharField, Func, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Membership, Tenant
from customers.models import Customer, SavedView

# A selection is at most one page of the list, with room to spare.
MAX_SELECTION = 200
MAX_TAG_LENGTH = 50


class ListActionError(Exception):
    """A bulk action or saved view that cannot be done; the message says why."""


def _selected(*, tenant: Tenant, customer_ids: list[int]):
    if not customer_ids:
        raise ListActionError(_("Select at least one customer."))
    if len(customer_ids) > MAX_SELECTION:
        raise ListActionError(
            _("Select at most %(count)s customers at a time.") % {"count": MAX_SELECTION}
        )
    # Another tenant's ids simply match nothing (the tenant filter and the scope both apply).
    return Customer.objects.filter(tenant=tenant, pk__in=customer_ids, archived_at__isnull=True)


@transaction.atomic
def customers_assign_owner(
    *, tenant: Tenant, actor: Any, customer_ids: list[int], owner: Any
) -> int:
    """Give the selected (active) customers `owner`, a member of the tenant. Returns how many."""
    if owner is not None and not Membership.objects.filter(tenant=tenant, user=owner).exists():
        raise ListActionError(_("The owner must be a member of this company."))
    changed = (
        _selected(tenant=tenant, customer_ids=customer_ids).exclude(owner=owner).update(owner=owner)
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.bulk.owner_assigned",
        data={
            "owner": getattr(owner, "pk", None),
            "selected": len(customer_ids),
            "changed": changed,
        },
    )
    return changed


@transaction.atomic
def customers_add_tag(*, tenant: Tenant, actor: Any, customer_ids: list[int], tag: str) -> int:
    """Add `tag` to the selected (active) customers that do not have it yet."""
    tag = tag.strip()
    if not tag:
        raise ListActionError(_("Write the tag to add."))
    if len(tag) > MAX_TAG_LENGTH:
        raise ListActionError(
            _("A tag has at most %(count)s characters.") % {"count": MAX_TAG_LENGTH}
        )
    changed = (
        _selected(tenant=tenant, customer_ids=customer_ids)
        .exclude(tags__contains=[tag])
        .update(
            tags=Func(
                "tags",
                Cast(Value(tag), CharField()),
                function="array_append",
                output_field=ArrayField(CharField()),
            )
        )
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.bulk.tag_added",
        data={"tag": tag, "selected": len(customer_ids), "changed": changed},
    )
    return changed


def customers_apply_registered(
    *, tenant: Tenant, actor: Any, customer_ids: list[int], apply: Any, value: Any
) -> int:
    """A bulk action another app registered (list_extensions.ListBulkAction): the selection is
    checked here (not empty, at most MAX_SELECTION); the action filters by tenant itself and
    audits what it did."""
    _selected(tenant=tenant, customer_ids=customer_ids)
    return apply(tenant=tenant, actor=actor, customer_ids=customer_ids, value=value)


# --- saved views -------------------------------------------------------------------------------


def saved_views_of(*, tenant: Tenant, user: Any) -> list[SavedView]:
    return list(SavedView.objects.filter(tenant=tenant, user=user).order_by("name", "id"))


@transaction.atomic
def saved_view_create(*, tenant: Tenant, actor: Any, name: str, query: str) -> SavedView:
    """Save the list's current filters under `name` for the actor; the same name replaces."""
    name = name.strip()
    if not name:
        raise ListActionError(_("Give the view a name."))
    user = user_or_none(actor)
    try:
        with transaction.atomic():
            view, _created = SavedView.objects.update_or_create(
                tenant=tenant, user=user, name=name[:80], defaults={"query": query[:2000]}
            )
    except IntegrityError as exc:  # two saves racing with the same name
        raise ListActionError(_("A view with this name exists already.")) from exc
    return view


@transaction.atomic
def saved_view_delete(*, tenant: Tenant, actor: Any, view: SavedView) -> None:
    if view.tenant_id != tenant.pk or view.user_id != getattr(actor, "pk", None):
        raise ListActionError(_("This view is not yours."))
    view.delete()
