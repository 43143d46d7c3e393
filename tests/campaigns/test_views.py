"""The campaign screens: create through the form, the campaign page with its results and
breakdowns, the comparison list, the contact rules, the do-not-contact switch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaigns import services
from campaigns.models import Campaign, CampaignStatus, ContactRules, Suppression
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db


def url(name, tenant, **kwargs):
    return reverse(f"campaigns:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_manager_creates_a_draft_with_turkish_money(manager_client, tenant, settings):
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    now = timezone.localtime()
    response = manager_client.post(
        url("create", tenant),
        {
            "name": "Bahar",
            "objective": "win_back",
            "audience_kind": "stage",
            "audience_stage": "lapsed",
            "channels": ["sms", "email"],
            "cost_email": "0,10",
            "cost_sms": "0,35",
            "cost_call": "0",
            "cost_mail": "0",
            "budget": "1.250,50",
            "control_percent": "10",
            "body_tr": "Sizi özledik {name}",
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "send_from": "09:00",
            "send_until": "20:00",
            "attribution_days": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        campaign = Campaign.objects.get(name="Bahar")
    assert campaign.channels == ["email", "sms"]  # the documented order of preference
    assert str(campaign.budget) == "1250.50"
    assert campaign.status == CampaignStatus.DRAFT


def test_a_form_error_is_shown_not_a_500(manager_client, tenant):
    response = manager_client.post(url("create", tenant), {"name": "", "channels": ["fax"]})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize("by", ["tier", "segment", "stage", "nonsense"])
def test_campaign_page_shows_start_summary_results_and_breakdowns(manager_client, tenant, by):
    with scope(tenant=tenant):
        reachable(tenant)
        reachable(tenant, consent_email=False)
        campaign = CampaignFactory(tenant=tenant, status=CampaignStatus.SCHEDULED)
        services.campaign_start(tenant=tenant, campaign_id=campaign.pk)
    page = manager_client.get(url("detail", tenant, campaign_id=campaign.pk), {"by": by})
    text = page.content.decode()
    assert page.status_code == 200
    assert "2 customers: 1 to contact, 0 in the control group." in text
    assert "No consent on any of the campaign&#x27;s channels: 1" in text
    assert "No control group: the effect cannot be told apart from chance." in text


def test_comparison_list_has_one_row_per_campaign(
    manager_client, tenant, django_assert_max_num_queries
):
    for _ in range(3):
        CampaignFactory(tenant=tenant)
    with django_assert_max_num_queries(15):
        page = manager_client.get(url("list", tenant))
    assert page.content.decode().count('href="/anadolu/campaigns/') >= 3


def test_contact_rules_are_saved_and_audited(manager_client, tenant):
    response = manager_client.post(url("rules", tenant), {"max_contacts": "2", "period_days": "7"})
    assert response.status_code == 302
    with scopes_disabled():
        rules = ContactRules.objects.get(tenant=tenant)
        from crm.models import AuditEntry

        assert AuditEntry.objects.filter(action="campaigns.rules.changed").exists()
    assert (rules.max_contacts, rules.period_days) == (2, 7)


def test_do_not_contact_switch_on_and_off(sales_client, tenant):
    with scope(tenant=tenant):
        customer = reachable(tenant)
    add = url("suppression_add", tenant, customer_id=customer.pk)
    assert sales_client.post(add, {"reason": "Aranmak istemiyor"}).status_code == 302
    with scopes_disabled():
        assert Suppression.objects.get(customer=customer).reason == "Aranmak istemiyor"
    remove = url("suppression_remove", tenant, customer_id=customer.pk)
    assert "off the do-not-contact list?" in sales_client.get(remove).content.decode()
    sales_client.post(remove)
    with scopes_disabled():
        assert not Suppression.objects.filter(customer=customer).exists()


def test_cancel_asks_first_then_says_what_it_did(manager_client, tenant):
    campaign = CampaignFactory(tenant=tenant)
    action = url("action", tenant, campaign_id=campaign.pk, action="cancel")
    assert "This cannot be undone." in manager_client.get(action).content.decode()
    page = manager_client.post(action, follow=True).content.decode()
    assert "The campaign is cancelled." in page
    with scopes_disabled():
        campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED


def test_unknown_action_is_404(manager_client, tenant):
    campaign = CampaignFactory(tenant=tenant)
    assert (
        manager_client.get(
            url("action", tenant, campaign_id=campaign.pk, action="explode")
        ).status_code
        == 404
    )
