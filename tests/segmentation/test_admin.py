"""Value keys and tiers in the admin: the whole configuration is checked, changes are audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.models import AuditEntry
from segmentation.models import Tier, ValueKey
from segmentation.services import KeyDraft, TierDraft, tiers_validate, value_keys_validate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def key_form(key: ValueKey, **changes) -> dict:
    data = {
        "metric": key.metric,
        "weight": key.weight,
        "window_days": key.window_days or "",
        "normalisation": key.normalisation,
        "is_active": "on" if key.is_active else "",
        "description": key.description,
        "order": key.order,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def tier_form(tier: Tier, **changes) -> dict:
    data = {
        "position": tier.position,
        "name_tr": tier.name_tr,
        "name_en": tier.name_en,
        "share_percent": tier.share_percent if tier.share_percent is not None else "",
        "min_score": tier.min_score if tier.min_score is not None else "",
        "colour": tier.colour,
        "strategy": tier.strategy,
    }
    data.update(changes)
    return data


def test_keys_need_an_active_one():
    with pytest.raises(ValidationError, match="at least one value key active"):
        value_keys_validate([KeyDraft(is_active=False, weight=Decimal(1))])


def test_keys_need_a_positive_weight_among_the_active_ones():
    with pytest.raises(ValidationError, match="positive weight"):
        value_keys_validate(
            [KeyDraft(is_active=True, weight=Decimal(0)), KeyDraft(True, Decimal(-2))]
        )


def test_weights_beyond_100_are_refused():
    with pytest.raises(ValidationError, match="between"):
        value_keys_validate([KeyDraft(is_active=True, weight=Decimal(101))])


def test_tier_shares_must_add_up_to_100():
    with pytest.raises(ValidationError, match="add up to 90"):
        tiers_validate([TierDraft(1, Decimal(10), None), TierDraft(2, Decimal(80), None)])


def test_tier_thresholds_must_go_down_from_the_peak():
    with pytest.raises(ValidationError, match="go down"):
        tiers_validate([TierDraft(1, None, Decimal(50)), TierDraft(2, None, Decimal(70))])


def test_tiers_cannot_mix_shares_and_thresholds():
    with pytest.raises(ValidationError, match="not a mix"):
        tiers_validate([TierDraft(1, Decimal(100), None), TierDraft(2, None, Decimal(0))])


def test_admin_changes_a_weight_and_the_change_is_audited(admin_client_, admin_user, tenant):
    with scopes_disabled():
        revenue = ValueKey.objects.get(tenant=tenant, metric="revenue")

    response = admin_client_.post(
        reverse("admin:segmentation_valuekey_change", args=[revenue.pk]),
        key_form(revenue, weight="5"),
    )

    assert response.status_code == 302
    with scopes_disabled():
        revenue.refresh_from_db()
        entry = AuditEntry.objects.get(tenant=tenant, action="segmentation.weights.changed")
    assert revenue.weight == Decimal("5")
    assert entry.actor == admin_user
    assert entry.data["before"]["weight"] == "3.00"
    assert entry.data["after"]["weight"] == "5"
    assert entry.data["changed"] == ["weight"]


def test_superuser_change_is_audited_with_the_stored_row_as_before(tenant):
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with scopes_disabled():
        revenue = ValueKey.objects.get(tenant=tenant, metric="revenue")

    response = client.post(
        reverse("admin:segmentation_valuekey_change", args=[revenue.pk]),
        {**key_form(revenue, weight="5"), "tenant": tenant.pk},
    )

    assert response.status_code == 302
    with scopes_disabled():
        entry = AuditEntry.objects.get(tenant=tenant, action="segmentation.weights.changed")
    assert entry.data["before"]["weight"] == "3.00"
    assert entry.data["changed"] == ["weight"]


def test_admin_cannot_deactivate_the_last_active_key(admin_client_, tenant):
    with scopes_disabled():
        keys = list(ValueKey.objects.filter(tenant=tenant, is_active=True))
        ValueKey.objects.filter(pk__in=[k.pk for k in keys[1:]]).update(is_active=False)
    last = keys[0]

    response = admin_client_.post(
        reverse("admin:segmentation_valuekey_change", args=[last.pk]), key_form(last, is_active="")
    )

    assert response.status_code == 200
    assert "at least one value key active" in response.content.decode()
    with scopes_disabled():
        last.refresh_from_db()
    assert last.is_active


def test_admin_cannot_delete_the_last_active_key(admin_client_, tenant):
    with scopes_disabled():
        keys = list(ValueKey.objects.filter(tenant=tenant, is_active=True))
        ValueKey.objects.filter(pk__in=[k.pk for k in keys[1:]]).update(is_active=False)

    admin_client_.post(
        reverse("admin:segmentation_valuekey_delete", args=[keys[0].pk]), {"post": "yes"}
    )

    with scopes_disabled():
        assert ValueKey.objects.filter(pk=keys[0].pk).exists()


def test_admin_tier_share_change_that_breaks_the_total_is_refused(admin_client_, tenant):
    with scopes_disabled():
        platinum = Tier.objects.get(tenant=tenant, position=1)

    response = admin_client_.post(
        reverse("admin:segmentation_tier_change", args=[platinum.pk]),
        tier_form(platinum, share_percent="2"),
    )

    assert response.status_code == 200
    assert "add up to 101" in response.content.decode()


def test_admin_tier_shares_are_changed_together_in_the_list(admin_client_, tenant):
    with scopes_disabled():
        tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
    shares = ["2", "4", "15", "79"]
    data = {
        "form-TOTAL_FORMS": "4",
        "form-INITIAL_FORMS": "4",
        "_save": "Save",
    }
    for index, (tier, share) in enumerate(zip(tiers, shares, strict=True)):
        data.update(
            {
                f"form-{index}-id": tier.pk,
                f"form-{index}-share_percent": share,
                f"form-{index}-min_score": "",
                f"form-{index}-colour": tier.colour,
            }
        )

    response = admin_client_.post(reverse("admin:segmentation_tier_changelist"), data)

    assert response.status_code == 302
    with scopes_disabled():
        assert [
            t.share_percent for t in Tier.objects.filter(tenant=tenant).order_by("position")
        ] == [
            Decimal("2"),
            Decimal("4"),
            Decimal("15"),
            Decimal("79"),
        ]
        assert AuditEntry.objects.filter(action="segmentation.tiers.changed").count() == 2


def test_admin_lists_only_its_own_tenants_keys(admin_client_, tenant, other_tenant):
    response = admin_client_.get(reverse("admin:segmentation_valuekey_changelist"))

    assert response.status_code == 200
    assert {key.tenant_id for key in response.context["cl"].result_list} == {tenant.pk}
