"""Admin: a tenant admin sees their own campaigns, recipients, do-not-contact list and SMS
outbox, read-only; the contact rules change through their service (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaigns import services
from campaigns.models import CampaignStatus, ContactRules, Recipient
from crm.models import AuditEntry
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(tenant, other_tenant):
    """A running campaign with one recipient in each tenant."""
    made = {}
    for which, owner in (("ours", tenant), ("theirs", other_tenant)):
        with scope(tenant=owner):
            reachable(owner, first_name=f"Müşteri-{which}")
            campaign = CampaignFactory(
                tenant=owner, name=f"Kampanya-{which}", status=CampaignStatus.SCHEDULED
            )
            made[which] = services.campaign_start(tenant=owner, campaign_id=campaign.pk)
    return made


@pytest.fixture
def admin_in(admin_client_, tenant):
    admin_client_.get(reverse("configuration_enter", kwargs={"tenant_slug": tenant.slug}))
    return admin_client_


@pytest.mark.parametrize("model", ["campaign", "recipient"])
def test_tenant_admin_sees_only_their_own_rows(admin_in, started, model):
    html = admin_in.get(reverse(f"admin:campaigns_{model}_changelist")).content.decode()

    assert "Kampanya-ours" in html
    assert "Kampanya-theirs" not in html


@pytest.mark.parametrize("model", ["campaign", "recipient", "suppression", "smsoutboxmessage"])
def test_logs_cannot_be_added_in_the_admin(admin_in, model):
    assert admin_in.get(reverse(f"admin:campaigns_{model}_add")).status_code == 403


def test_a_recipient_cannot_be_changed_or_deleted(admin_in, started):
    with scopes_disabled():
        recipient = Recipient.objects.get(campaign=started["ours"])
    page = admin_in.get(reverse("admin:campaigns_recipient_change", args=[recipient.pk]))
    deleted = admin_in.post(
        reverse("admin:campaigns_recipient_delete", args=[recipient.pk]), {"post": "yes"}
    )

    assert 'name="status"' not in page.content.decode()
    assert deleted.status_code == 403
    with scopes_disabled():
        assert Recipient.objects.filter(pk=recipient.pk).exists()


def test_the_campaign_links_to_its_page_in_the_crm(admin_in, started, tenant):
    campaign = started["ours"]
    page = admin_in.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    assert f"/{tenant.slug}/campaigns/{campaign.pk}/" in page.content.decode()


def test_another_tenants_campaign_is_not_found(admin_in, started):
    url = reverse("admin:campaigns_campaign_change", args=[started["theirs"].pk])
    response = admin_in.get(url)

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_contact_rules_change_through_the_service_and_are_audited(admin_in, tenant):
    with scope(tenant=tenant):
        rules = services.contact_rules_for(tenant=tenant)
    url = reverse("admin:campaigns_contactrules_change", args=[rules.pk])

    refused = admin_in.post(url, {"max_contacts": "0", "period_days": "30"})
    saved = admin_in.post(url, {"max_contacts": "5", "period_days": "14"})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["max_contacts"]
    assert saved.status_code == 302
    with scopes_disabled():
        assert ContactRules.objects.values_list("max_contacts", "period_days").get(pk=rules.pk) == (
            5,
            14,
        )
        entry = AuditEntry.objects.get(action="campaigns.rules.changed")
    assert entry.data["after"] == {"max_contacts": 5, "period_days": 14}


def test_admin_pages_speak_turkish(admin_in, settings):
    admin_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    html = admin_in.get(reverse("admin:index")).content.decode()

    names = ("Kampanyalar", "Alıcılar", "İletişim kuralları", "İletişim kurulmayacaklar listesi",
             "SMS giden kutusu")  # fmt: skip
    for name in names:
        assert name in html
