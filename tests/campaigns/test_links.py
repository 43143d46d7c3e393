"""The links in a message: click tracking and unsubscribe, without login, by signed token —
a changed token, a token of the other purpose and a recipient of another tenant are 404."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse
from django_scopes import scopes_disabled

from campaigns import links
from campaigns.models import Channel, Recipient, RecipientGroup, RecipientStatus
from customers.models import ConsentRecord
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db


def contacted(tenant, channel=Channel.EMAIL, **customer):
    person = reachable(tenant, **customer)
    campaign = CampaignFactory(tenant=tenant, channels=[channel])
    with scopes_disabled():
        return Recipient.objects.create(
            tenant=tenant,
            campaign=campaign,
            customer=person,
            group=RecipientGroup.TARGET,
            channel=channel,
            status=RecipientStatus.SENT,
        )


def path_of(url: str) -> str:
    return url.removeprefix("https://crm.example.com")


def test_click_records_the_first_click_and_leads_to_the_offer(client, tenant):
    recipient = contacted(tenant)
    url = path_of(links.click_url(tenant_id=tenant.pk, recipient_id=recipient.pk))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == "https://example.com/teklif"
    with scopes_disabled():
        recipient.refresh_from_db()
    first = recipient.clicked_at
    assert first is not None
    client.get(url)
    with scopes_disabled():
        recipient.refresh_from_db()
    assert recipient.clicked_at == first


def test_unsubscribe_page_asks_then_withdraws_consent_at_once(client, tenant):
    recipient = contacted(tenant)
    url = path_of(links.unsubscribe_url(tenant_id=tenant.pk, recipient_id=recipient.pk))
    page = client.get(url)
    assert page.status_code == 200
    with scopes_disabled():
        assert ConsentRecord.objects.count() == 0
    response = client.post(url)
    assert response.status_code == 200
    assert b'id="unsubscribed"' in response.content
    with scopes_disabled():
        record = ConsentRecord.objects.get(customer=recipient.customer)
        recipient.customer.refresh_from_db()
    assert (record.channel, record.granted) == ("email", False)
    assert recipient.campaign.name in record.note
    assert recipient.customer.consent_email is False


def test_unsubscribing_twice_records_one_withdrawal(client, tenant):
    recipient = contacted(tenant)
    url = path_of(links.unsubscribe_url(tenant_id=tenant.pk, recipient_id=recipient.pk))
    client.post(url)
    client.post(url)
    with scopes_disabled():
        assert ConsentRecord.objects.filter(customer=recipient.customer).count() == 1


def test_sms_unsubscribe_withdraws_sms_consent(client, tenant):
    recipient = contacted(tenant, Channel.SMS, phone="+905321112233", consent_sms=True)
    client.post(path_of(links.unsubscribe_url(tenant_id=tenant.pk, recipient_id=recipient.pk)))
    with scopes_disabled():
        recipient.customer.refresh_from_db()
    assert recipient.customer.consent_sms is False
    assert recipient.customer.consent_email is True


def test_a_changed_token_is_404(client, tenant):
    recipient = contacted(tenant)
    token = links.make_token(
        tenant_id=tenant.pk, recipient_id=recipient.pk, salt=links.UNSUBSCRIBE_SALT
    )
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(reverse("campaign_unsubscribe", args=[tampered])).status_code == 404
    forged = signing.Signer(key="guess", salt=links.UNSUBSCRIBE_SALT).sign_object(
        [tenant.pk, recipient.pk]
    )
    assert client.post(reverse("campaign_unsubscribe", args=[forged])).status_code == 404
    with scopes_disabled():
        assert ConsentRecord.objects.count() == 0


def test_a_click_token_does_not_unsubscribe_and_vice_versa(client, tenant):
    recipient = contacted(tenant)
    click = links.make_token(tenant_id=tenant.pk, recipient_id=recipient.pk, salt=links.CLICK_SALT)
    unsubscribe = links.make_token(
        tenant_id=tenant.pk, recipient_id=recipient.pk, salt=links.UNSUBSCRIBE_SALT
    )
    assert client.post(reverse("campaign_unsubscribe", args=[click])).status_code == 404
    assert client.get(reverse("campaign_click", args=[unsubscribe])).status_code == 404


def test_a_token_naming_another_tenant_finds_nothing(client, tenant, other_tenant):
    theirs = contacted(other_tenant)
    # Signed correctly, but for our tenant with the other tenant's recipient id.
    for salt, name in (
        (links.UNSUBSCRIBE_SALT, "campaign_unsubscribe"),
        (links.CLICK_SALT, "campaign_click"),
    ):
        token = links.make_token(tenant_id=tenant.pk, recipient_id=theirs.pk, salt=salt)
        assert client.post(reverse(name, args=[token])).status_code in {404, 405}
        assert client.get(reverse(name, args=[token])).status_code == 404
    with scopes_disabled():
        assert ConsentRecord.objects.count() == 0
        theirs.refresh_from_db()
    assert theirs.clicked_at is None


def test_a_control_group_customer_has_no_link(client, tenant):
    recipient = contacted(tenant)
    with scopes_disabled():
        Recipient.objects.filter(pk=recipient.pk).update(group="control", status="", cost=0)
    url = path_of(links.unsubscribe_url(tenant_id=tenant.pk, recipient_id=recipient.pk))
    assert client.get(url).status_code == 404
