"""Hand-picked customers of a segment ("Add to segment" on the customer list): they are members
whatever the criteria say, in segment_members, the figures and snapshots; only the tenant's own
customers can be added; the segment page lists them and removes one after asking."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from crm.models import AuditEntry
from segmentation.models import HandPickedCustomer, SegmentSnapshotMember
from segmentation.segment_selectors import (
    SegmentCriteria,
    criteria_figures,
    segment_member_count,
    segment_members,
)
from segmentation.services import (
    SegmentError,
    segment_create,
    segment_customer_remove,
    segment_customers_add,
    segment_snapshot_create,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _segment(tenant, actor, name="Ege", **data):
    with scope(tenant=tenant):
        return segment_create(tenant=tenant, actor=actor, data={"name": name, **data})


@pytest.fixture
def people(tenant):
    with scopes_disabled():
        return {
            "ege": CustomerFactory(tenant=tenant, region="Ege", first_name="Ece"),
            "picked": CustomerFactory(tenant=tenant, region="Marmara", first_name="Pınar"),
            "other": CustomerFactory(tenant=tenant, region="Marmara", first_name="Oya"),
        }


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_a_hand_picked_customer_is_a_member_whatever_the_criteria(tenant, manager_user, people):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    with scope(tenant=tenant):
        added = segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=[people["picked"].pk]
        )
        members = segment_members(tenant=tenant, segment=segment)
        figures = criteria_figures(
            tenant=tenant, criteria=SegmentCriteria.of(segment), segment_id=segment.pk
        )
        count = segment_member_count(tenant=tenant, segment=segment)
    assert added == 1
    assert _ids(members) == {people["ege"].pk, people["picked"].pk}
    assert (count, figures.customers) == (2, 2)


def test_a_hand_picked_customer_without_facts_joins_a_facts_criterion(tenant, manager_user, people):
    # No recompute yet: nobody has facts, so the criterion alone matches no one.
    segment = _segment(tenant, manager_user, growth_bands=["growing_fast"])
    with scope(tenant=tenant):
        assert segment_member_count(tenant=tenant, segment=segment) == 0
        segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=[people["picked"].pk]
        )
        assert _ids(segment_members(tenant=tenant, segment=segment)) == {people["picked"].pk}


def test_a_snapshot_freezes_the_hand_picked_too(tenant, manager_user, people):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    with scope(tenant=tenant):
        segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=[people["picked"].pk]
        )
        snapshot = segment_snapshot_create(tenant=tenant, segment=segment, actor=manager_user)
    with scopes_disabled():
        frozen = set(
            SegmentSnapshotMember.objects.filter(snapshot=snapshot).values_list(
                "customer_id", flat=True
            )
        )
    assert snapshot.members_count == 2
    assert frozen == {people["ege"].pk, people["picked"].pk}


def test_adding_twice_adds_once_and_each_add_is_audited(tenant, manager_user, people):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    ids = [people["picked"].pk, people["other"].pk]
    with scope(tenant=tenant):
        first = segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=ids
        )
        second = segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=ids
        )
    assert (first, second) == (2, 0)
    with scopes_disabled():
        assert HandPickedCustomer.objects.filter(segment=segment).count() == 2
        entries = AuditEntry.objects.filter(action="segmentation.segment.customers_added")
        assert sorted(entry.data["added"] for entry in entries) == [0, 2]
        assert {row.added_by_id for row in HandPickedCustomer.objects.all()} == {manager_user.pk}


def test_a_customer_of_another_tenant_cannot_be_added(tenant, other_tenant, manager_user, people):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    with scopes_disabled():
        foreign = CustomerFactory(tenant=other_tenant, region="Ege")
        archived = CustomerFactory(tenant=tenant, archived_at="2026-01-01T00:00:00Z")
    with scope(tenant=tenant):
        added = segment_customers_add(
            tenant=tenant,
            actor=manager_user,
            segment=segment,
            customer_ids=[foreign.pk, archived.pk],
        )
    assert added == 0
    with scopes_disabled():
        assert not HandPickedCustomer.objects.exists()


def test_a_segment_of_another_tenant_is_refused(tenant, other_tenant, manager_user, people):
    foreign_segment = _segment(other_tenant, None, name="Yabancı")
    with scope(tenant=tenant), pytest.raises(SegmentError):
        segment_customers_add(
            tenant=tenant,
            actor=manager_user,
            segment=foreign_segment,
            customer_ids=[people["picked"].pk],
        )


def test_removing_takes_the_customer_out_unless_the_criteria_keep_them(
    tenant, manager_user, people
):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    ids = [people["picked"].pk, people["ege"].pk]
    with scope(tenant=tenant):
        segment_customers_add(tenant=tenant, actor=manager_user, segment=segment, customer_ids=ids)
        for customer_id in ids:
            assert segment_customer_remove(
                tenant=tenant, actor=manager_user, segment=segment, customer_id=customer_id
            )
        assert not segment_customer_remove(
            tenant=tenant, actor=manager_user, segment=segment, customer_id=people["other"].pk
        )
        assert _ids(segment_members(tenant=tenant, segment=segment)) == {people["ege"].pk}
    with scopes_disabled():
        assert (
            AuditEntry.objects.filter(action="segmentation.segment.customer_removed").count() == 2
        )


# --- the customer list's bulk action and the segment page --------------------------------------


def _bulk_url(tenant):
    return reverse("customers:bulk_action", kwargs={"tenant_slug": tenant.slug})


def _list_url(tenant):
    return reverse("customers:list", kwargs={"tenant_slug": tenant.slug})


def _messages(client, tenant):
    return [str(m) for m in client.get(_list_url(tenant)).context["messages"]]


def test_manager_adds_the_selection_to_a_segment_and_is_told_how_many(
    manager_client, tenant, manager_user, people
):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    response = manager_client.post(
        _bulk_url(tenant),
        {
            "action": "segment",
            "segment": segment.pk,
            "customers": [people["picked"].pk, people["other"].pk],
        },
    )
    assert response.status_code == 302
    assert "2 customers added to the segment." in _messages(manager_client, tenant)
    with scopes_disabled():
        assert set(
            HandPickedCustomer.objects.filter(segment=segment).values_list("customer_id", flat=True)
        ) == {people["picked"].pk, people["other"].pk}


def test_bulk_with_another_tenants_customer_ids_adds_nothing(
    manager_client, tenant, other_tenant, manager_user
):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    with scopes_disabled():
        foreign = [CustomerFactory(tenant=other_tenant).pk for _ in range(2)]
    manager_client.post(
        _bulk_url(tenant), {"action": "segment", "segment": segment.pk, "customers": foreign}
    )
    assert "0 customers added to the segment." in _messages(manager_client, tenant)
    with scopes_disabled():
        assert not HandPickedCustomer.objects.exists()


def test_bulk_into_another_tenants_segment_is_refused(manager_client, tenant, other_tenant, people):
    foreign_segment = _segment(other_tenant, None, name="Yabancı")
    manager_client.post(
        _bulk_url(tenant),
        {"action": "segment", "segment": foreign_segment.pk, "customers": [people["picked"].pk]},
    )
    with scopes_disabled():
        assert not HandPickedCustomer.objects.exists()


def test_bulk_without_a_segment_says_to_choose_one(manager_client, tenant, people):
    manager_client.post(
        _bulk_url(tenant), {"action": "segment", "customers": [people["picked"].pk]}
    )
    assert "Choose the “Segment”." in _messages(manager_client, tenant)


def test_sales_reps_do_not_get_add_to_segment(sales_client, tenant, manager_user, people):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    assert "Add to segment" not in sales_client.get(_list_url(tenant)).content.decode()
    sales_client.post(
        _bulk_url(tenant),
        {"action": "segment", "segment": segment.pk, "customers": [people["picked"].pk]},
    )
    with scopes_disabled():
        assert not HandPickedCustomer.objects.exists()


def test_managers_list_offers_their_segments(manager_client, tenant, manager_user, people):
    _segment(tenant, manager_user, name="Ege kıyısı", regions=["Ege"])
    page = manager_client.get(_list_url(tenant)).content.decode()
    assert "Add to segment" in page and "Ege kıyısı" in page


def _segment_url(name, tenant, **kwargs):
    return reverse(f"segmentation:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_segment_page_lists_the_hand_picked_with_their_count(
    manager_client, tenant, manager_user, people
):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    with scope(tenant=tenant):
        segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=[people["picked"].pk]
        )
    response = manager_client.get(_segment_url("segment", tenant, segment_id=segment.pk))
    count, rows = response.context["hand_picked"]
    assert (count, [row.customer_id for row in rows]) == (1, [people["picked"].pk])
    assert response.context["figures"].customers == 2  # Ece (Ege) and Pınar (hand-picked)
    assert (
        _segment_url(
            "segment_customer_remove",
            tenant,
            segment_id=segment.pk,
            customer_id=people["picked"].pk,
        )
        in response.content.decode()
    )


def test_remove_asks_first_then_removes_and_says_so(manager_client, tenant, manager_user, people):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    picked = people["picked"]
    with scope(tenant=tenant):
        segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=[picked.pk]
        )
    url = _segment_url(
        "segment_customer_remove", tenant, segment_id=segment.pk, customer_id=picked.pk
    )
    confirm = manager_client.get(url).content.decode()
    assert "out of the hand-picked customers of “Ege”?" in confirm
    with scopes_disabled():
        assert HandPickedCustomer.objects.exists()

    response = manager_client.post(url, follow=True)

    assert "is no longer hand-picked into “Ege”." in response.content.decode()
    with scopes_disabled():
        assert not HandPickedCustomer.objects.exists()
        assert AuditEntry.objects.filter(action="segmentation.segment.customer_removed").exists()


def test_removing_a_customer_that_is_not_hand_picked_is_404(
    manager_client, tenant, manager_user, people
):
    segment = _segment(tenant, manager_user, regions=["Ege"])
    url = _segment_url(
        "segment_customer_remove", tenant, segment_id=segment.pk, customer_id=people["ege"].pk
    )
    assert manager_client.get(url).status_code == 404
    assert manager_client.post(url).status_code == 404
