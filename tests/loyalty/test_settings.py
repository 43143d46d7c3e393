"""The programme settings page for tenant admins: the terms and tier multipliers saved together
(decimals typed the Turkish way), field errors, audited changes, and the bonus rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.models import AuditEntry
from loyalty.models import BonusRule, Programme, TierMultiplier
from segmentation.models import Tier
from tests.factories import ProductCategoryFactory
from tests.loyalty.factories import ProgrammeFactory


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"loyalty:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def tiers(tenant):
    """The company's four default tiers, Platin first."""
    with scopes_disabled():
        return list(Tier.objects.filter(tenant=tenant).order_by("position"))


def form_data(tiers, **changes) -> dict[str, str]:
    """The settings form as a browser posts it, Turkish decimals and all."""
    data = {
        "programme-name": "Kulüp",
        "programme-is_active": "on",
        "programme-starts_on": "2026-01-01",
        "programme-points_per_unit": "1,5",
        "programme-point_value": "0,02",
        "programme-currency": "TRY",
        "programme-return_window_days": "14",
        "programme-expiry_months": "12",
        "programme-welcome_bonus": "50",
        "programme-min_redeem_balance": "100",
        "programme-enrolment": "consented",
    }
    for tier in tiers:
        data[f"tiers-multiplier_{tier.pk}"] = "1"
        data[f"tiers-benefits_{tier.pk}"] = ""
    data.update(changes)
    return data


def programme_of(tenant) -> Programme | None:
    with scopes_disabled():
        return Programme.objects.filter(tenant=tenant).first()


def test_the_first_save_starts_the_programme_with_turkish_decimals(admin_client_, tenant, tiers):
    platin = tiers[0]
    response = admin_client_.post(
        url("settings", tenant),
        form_data(
            tiers,
            **{f"tiers-multiplier_{platin.pk}": "2,25", f"tiers-benefits_{platin.pk}": "Kargo"},
        ),
    )

    assert response.status_code == 302
    programme = programme_of(tenant)
    assert (programme.points_per_unit, programme.point_value) == (Decimal("1.5"), Decimal("0.02"))
    assert (programme.welcome_bonus, programme.min_redeem_balance) == (50, 100)
    assert programme.enrolment == "consented"
    with scopes_disabled():
        rows = {row.tier_id: row for row in TierMultiplier.objects.filter(tenant=tenant)}
        audit = AuditEntry.objects.get(tenant=tenant, action="loyalty.programme.created")
    assert (rows[platin.pk].multiplier, rows[platin.pk].benefits) == (Decimal("2.25"), "Kargo")
    assert tiers[1].pk not in rows  # ×1 and no benefits: as without a row
    assert audit.data["changes"]["points_per_unit"]["after"] == "1.5"
    assert audit.data["changes"]["tier:Platin"]["after"] == {
        "multiplier": "2.25",
        "benefits": "Kargo",
    }


def test_a_change_is_audited_with_what_it_was_and_who_made_it(
    admin_client_, admin_user, tenant, tiers
):
    ProgrammeFactory(tenant=tenant, expiry_months=12, return_window_days=14)
    admin_client_.post(url("settings", tenant), form_data(tiers))
    AuditEntry.objects.with_scopes_disabled().filter(tenant=tenant).delete()

    response = admin_client_.post(
        url("settings", tenant), form_data(tiers, **{"programme-expiry_months": "24"})
    )

    assert response.status_code == 302
    assert programme_of(tenant).expiry_months == 24
    with scopes_disabled():
        audit = AuditEntry.objects.get(tenant=tenant)
    assert audit.action == "loyalty.programme.changed"
    assert audit.actor == admin_user
    assert audit.data == {"changes": {"expiry_months": {"before": 12, "after": 24}}}


def test_the_form_shows_the_current_terms_the_users_way(admin_client_, tenant, tiers):
    ProgrammeFactory(tenant=tenant, point_value=Decimal("1250.5"))

    body = admin_client_.get(url("settings", tenant), HTTP_ACCEPT_LANGUAGE="tr").content.decode()

    assert 'value="Sadakat Kulübü"' in body
    assert "Platinum: points multiplier" in body
    assert 'value="1250.5000"' in body or 'value="1250.5"' in body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("programme-return_window_days", "400", "The return window must end before"),
        ("programme-points_per_unit", "1.250", "1.250"),  # thousands or decimals: asked
        ("programme-points_per_unit", "-1", "greater than or equal to 0"),
        ("programme-name", "", "This field is required"),
    ],
)
def test_a_wrong_value_is_a_field_error_and_nothing_changes(
    admin_client_, tenant, tiers, field, value, message
):
    ProgrammeFactory(tenant=tenant)

    response = admin_client_.post(url("settings", tenant), form_data(tiers, **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert programme_of(tenant).points_per_unit == Decimal("1")
    assert not AuditEntry.objects.with_scopes_disabled().filter(tenant=tenant).exists()


def test_a_zero_tier_multiplier_is_a_field_error(admin_client_, tenant, tiers):
    response = admin_client_.post(
        url("settings", tenant), form_data(tiers, **{f"tiers-multiplier_{tiers[0].pk}": "0"})
    )

    assert response.status_code == 200
    assert "greater than or equal to 0.01" in response.content.decode()
    assert programme_of(tenant) is None


def test_the_overview_links_the_settings_for_admins_only(admin_client_, manager_client, tenant):
    settings_url = url("settings", tenant)

    assert settings_url in admin_client_.get(url("overview", tenant)).content.decode()
    assert settings_url not in manager_client.get(url("overview", tenant)).content.decode()


# --- bonus rules ----------------------------------------------------------------------------


def rule_data(**changes) -> dict[str, str]:
    data = {
        "name": "Hafta sonu",
        "multiplier": "1,5",
        "category": "",
        "channel": "web",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_bonus_rule_is_added_and_changed_with_an_audit_entry_each(admin_client_, tenant):
    category = ProductCategoryFactory(tenant=tenant, name="Kitap")

    response = admin_client_.post(
        url("bonus_rule_new", tenant), rule_data(category=str(category.pk))
    )

    assert response.status_code == 302
    with scopes_disabled():
        rule = BonusRule.objects.get(tenant=tenant)
    assert (rule.multiplier, rule.category, rule.channel) == (Decimal("1.5"), category, "web")
    assert (rule.starts_on, rule.ends_on) == (date(2026, 12, 1), date(2026, 12, 31))

    admin_client_.post(url("bonus_rule_edit", tenant, rule_id=rule.pk), rule_data(multiplier="3"))

    rule.refresh_from_db()
    assert (rule.multiplier, rule.category) == (Decimal("3"), None)
    with scopes_disabled():
        actions = list(
            AuditEntry.objects.filter(tenant=tenant).order_by("id").values_list("action", "data")
        )
    assert [action for action, _data in actions] == [
        "loyalty.bonusrule.created",
        "loyalty.bonusrule.changed",
    ]
    assert actions[1][1]["before"]["multiplier"] == "1.5"
    assert actions[1][1]["after"]["multiplier"] == "3"


def test_a_bonus_rule_ending_before_it_starts_is_a_field_error(admin_client_, tenant):
    response = admin_client_.post(
        url("bonus_rule_new", tenant), rule_data(starts_on="2026-12-31", ends_on="2026-12-01")
    )

    assert response.status_code == 200
    assert "The last day cannot be before the first." in response.content.decode()
    assert not BonusRule.objects.with_scopes_disabled().filter(tenant=tenant).exists()


def test_another_tenants_category_cannot_be_chosen(admin_client_, tenant, other_tenant):
    foreign = ProductCategoryFactory(tenant=other_tenant, name="Yabancı")

    response = admin_client_.post(url("bonus_rule_new", tenant), rule_data(category=foreign.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Yabancı" not in response.content.decode()


def test_removing_a_bonus_rule_asks_first_then_says_what_it_did(admin_client_, tenant):
    with scopes_disabled():
        rule = BonusRule.objects.create(tenant=tenant, name="Kış", multiplier=Decimal("2"))
    remove = url("bonus_rule_remove", tenant, rule_id=rule.pk)

    assert "Remove the bonus rule “Kış”?" in admin_client_.get(remove).content.decode()
    assert BonusRule.objects.with_scopes_disabled().filter(pk=rule.pk).exists()

    response = admin_client_.post(remove, {"request_key": "x"}, follow=True)

    assert "Bonus rule “Kış” removed" in response.content.decode()
    assert not BonusRule.objects.with_scopes_disabled().filter(pk=rule.pk).exists()
    with scopes_disabled():
        audit = AuditEntry.objects.get(tenant=tenant, action="loyalty.bonusrule.deleted")
    assert audit.data["before"]["name"] == "Kış"
