"""The call list: logging a call is a contact on the customer (timeline), once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.models import CampaignStatus, Channel, Recipient, RecipientStatus
from customers.models import Interaction
from customers.selectors import customer_timeline
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(tenant):
    from django_scopes import scope

    with scope(tenant=tenant):
        reachable(tenant, consent_email=False, phone="+905321112233", consent_phone=True)
        campaign = CampaignFactory(
            tenant=tenant, channels=[Channel.CALL], status=CampaignStatus.SCHEDULED
        )
        services.campaign_start(tenant=tenant, campaign_id=campaign.pk)
        return Recipient.objects.get(campaign=campaign)


def test_logging_a_call_records_a_contact_and_leaves_the_list(tenant_scope, call, sales_user):
    services.call_log(
        tenant=tenant_scope,
        actor=sales_user,
        recipient_id=call.pk,
        outcome="interested",
        notes="Cuma tekrar aranacak",
    )
    call.refresh_from_db()
    assert (call.status, call.outcome, call.called_by) == ("sent", "interested", sales_user)
    contact = Interaction.objects.get(customer=call.customer)
    assert contact.channel == "phone"
    assert contact.outcome == "interested"
    assert contact.notes == "Cuma tekrar aranacak"
    with pytest.raises(services.CampaignError, match="already logged"):
        services.call_log(
            tenant=tenant_scope, actor=sales_user, recipient_id=call.pk, outcome="sale"
        )


def test_campaign_contacts_show_on_the_customer_timeline(tenant_scope, call):
    kinds = [
        entry.kind
        for entry in customer_timeline(tenant=tenant_scope, customer=call.customer).entries
    ]
    assert kinds == ["campaign"]


def test_the_call_list_page_shows_the_calls_to_make(sales_client, tenant, call):
    page = sales_client.get(reverse("campaigns:calls", kwargs={"tenant_slug": tenant.slug}))
    assert page.status_code == 200
    assert call.customer.display_name in page.content.decode()
    response = sales_client.post(
        reverse("campaigns:call_log", kwargs={"tenant_slug": tenant.slug, "recipient_id": call.pk}),
        {"outcome": "no_answer", "notes": ""},
    )
    assert response.status_code == 302
    from django_scopes import scopes_disabled

    with scopes_disabled():
        assert Recipient.objects.get(pk=call.pk).status == RecipientStatus.SENT


def test_customer_page_shows_the_campaign_entry(sales_client, tenant, call):
    url = reverse(
        "customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": call.customer_id}
    )
    page = sales_client.get(url).content.decode()
    assert call.campaign.name in page
    assert "Campaign messages" in page
