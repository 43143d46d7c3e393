"""The segment-criteria registry (segmentation/criteria.py): a criterion another app registers
shows in the builder, is saved on the segment, joins the one membership query with AND (live
count, members, snapshot, the recompute's sizes), and is described on the segment's page.
A stored criterion whose app is gone matches nobody. Against tests/segmentation/
dashboard_base.py (tags: C and F have "toptan", A and C have "vip")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.db.models import Q
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from segmentation import criteria as registry
from segmentation.models import Segment, SegmentRunSize, SegmentSnapshotMember
from segmentation.segment_selectors import (
    SegmentCriteria,
    criteria_members,
    extra_descriptions,
    segment_members,
)
from segmentation.services import scores_recompute, segment_create, segment_snapshot_create
from tests.segmentation import dashboard_base
from tests.segmentation.factories import NOW

pytestmark = pytest.mark.django_db


def _tag_value(cleaned):
    if cleaned.get("forbid") and not cleaned.get("tag"):
        raise forms.ValidationError({"tag": "Name the tag."})
    return {"tag": cleaned["tag"]} if cleaned.get("tag") else None


TAGGED = registry.SegmentCriterion(
    key="tagged",
    label="Tagged",
    fields=lambda *, tenant: {
        "tag": forms.CharField(label="Has the tag", required=False),
        "forbid": forms.BooleanField(label="Tag required", required=False),
    },
    value=_tag_value,
    initial=lambda value: {"tag": value["tag"]},
    q=lambda *, tenant, value: Q(tags__contains=[value["tag"]]),
    describe=lambda *, tenant, value: f"Tagged {value['tag']}",
)


@pytest.fixture
def tagged(monkeypatch):
    monkeypatch.setitem(registry._criteria, TAGGED.key, TAGGED)
    return TAGGED


@pytest.fixture
def base(tenant):
    return dashboard_base.build(tenant)


def names(base, queryset) -> set[str]:
    by_id = {base[key].pk: key for key in "abcdefgh"}
    return {by_id[pk] for pk in queryset.values_list("pk", flat=True)}


def url(name, tenant, **kwargs):
    return reverse(f"segmentation:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_a_registered_criterion_combines_with_the_others_by_and(tenant, base, tagged):
    criteria = SegmentCriteria(regions=("Ege",), extra=(("tagged", {"tag": "toptan"}),))
    with scope(tenant=tenant):
        assert names(base, criteria_members(tenant=tenant, criteria=criteria)) == {"f"}
        alone = SegmentCriteria(extra=(("tagged", {"tag": "toptan"}),))
        assert names(base, criteria_members(tenant=tenant, criteria=alone)) == {"c", "f"}


def test_a_stored_criterion_whose_app_is_gone_matches_nobody(tenant, base, manager_user):
    with scope(tenant=tenant):
        segment = segment_create(
            tenant=tenant,
            actor=manager_user,
            data={"name": "Eski", "extra_criteria": {"retired": {"x": 1}}},
        )
        assert segment_members(tenant=tenant, segment=segment).count() == 0
        assert extra_descriptions(tenant=tenant, criteria=SegmentCriteria.of(segment)) == [
            "A criterion that is no longer available (nobody matches it)."
        ]


def test_a_registered_criterion_is_saved_from_the_builder(manager_client, tenant, base, tagged):
    response = manager_client.post(
        url("segment_create", tenant),
        {"name": "Toptancılar", "strategy_type": "keep", "tagged__tag": "toptan"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        segment = Segment.objects.get(tenant=tenant, name="Toptancılar")
    assert segment.extra_criteria == {"tagged": {"tag": "toptan"}}

    page = manager_client.get(url("segment", tenant, segment_id=segment.pk))
    assert page.context["figures"].customers == 2
    assert "Tagged toptan" in page.content.decode()
    edit = manager_client.get(url("segment_edit", tenant, segment_id=segment.pk))
    assert edit.context["form"]["tagged__tag"].value() == "toptan"


def test_an_unused_registered_criterion_is_not_stored(manager_client, tenant, base, tagged):
    manager_client.post(url("segment_create", tenant), {"name": "Hepsi", "strategy_type": "keep"})
    with scopes_disabled():
        assert Segment.objects.get(tenant=tenant, name="Hepsi").extra_criteria == {}


def test_a_registered_criterions_error_is_shown_on_its_field(manager_client, tenant, base, tagged):
    response = manager_client.post(
        url("segment_create", tenant),
        {"name": "Hatalı", "strategy_type": "keep", "tagged__forbid": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["tagged__tag"] == ["Name the tag."]
    assert "Name the tag." in response.content.decode()


def test_the_live_count_includes_registered_criteria(manager_client, tenant, base, tagged):
    response = manager_client.get(
        url("segment_preview", tenant), {"regions": "Marmara", "tagged__tag": "toptan"}
    )
    assert response.context["figures"].customers == 1  # C


def test_snapshot_and_recompute_sizes_use_registered_criteria(tenant, base, manager_user, tagged):
    with scope(tenant=tenant):
        segment = segment_create(
            tenant=tenant,
            actor=manager_user,
            data={"name": "VIP", "extra_criteria": {"tagged": {"tag": "vip"}}},
        )
        snapshot = segment_snapshot_create(tenant=tenant, segment=segment, actor=manager_user)
    run = scores_recompute(tenant=tenant, now=NOW)
    with scopes_disabled():
        frozen = set(
            SegmentSnapshotMember.objects.filter(snapshot=snapshot).values_list(
                "customer_id", flat=True
            )
        )
        size = SegmentRunSize.objects.get(segment=segment, run=run)
    assert frozen == {base["a"].pk, base["c"].pk}
    assert (size.customers, size.revenue) == (2, Decimal("1300.00"))  # A 1000 + C 300


def test_keys_must_be_plain_identifiers():
    with pytest.raises(ValueError):
        registry.register_segment_criterion(
            registry.SegmentCriterion(
                key="a__b",
                label="x",
                fields=lambda *, tenant: {},
                value=lambda cleaned: None,
                q=lambda *, tenant, value: Q(),
                describe=lambda *, tenant, value: "",
            )
        )
