"""Offers carrying loyalty benefits: a personal coupon code per contacted customer (the same
code on a retry) and bonus points credited once to loyalty members."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from campaigns import services
from campaigns.models import CampaignStatus, Recipient
from campaigns.services import sending
from loyalty.models import Coupon, CouponBatch, Member, PointsEntry
from tests.campaigns.factories import CampaignFactory, reachable
from tests.loyalty.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def running(tenant, **kwargs):
    campaign = CampaignFactory(tenant=tenant, status=CampaignStatus.SCHEDULED, **kwargs)
    return services.campaign_start(tenant=tenant, campaign_id=campaign.pk)


def test_each_customer_gets_their_own_coupon_code(tenant_scope):
    tenant = tenant_scope
    first, second = reachable(tenant), reachable(tenant)
    batch = CouponBatch.objects.create(
        tenant=tenant, name="Kış %10", discount_type="percent", value=10, size=0
    )
    campaign = running(tenant, coupon_batch=batch)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    coupons = {c.customer_id: c.code for c in Coupon.objects.filter(batch=batch)}
    assert set(coupons) == {first.pk, second.pk}
    assert len(set(coupons.values())) == 2
    for message in mail.outbox:
        customer = first if message.to[0] == first.email else second
        assert f"Kişisel kodunuz: {coupons[customer.pk]}" in message.body
    assert set(
        Recipient.objects.filter(campaign=campaign).values_list("coupon__code", flat=True)
    ) == set(coupons.values())


def test_a_retried_message_carries_the_same_code(tenant_scope, monkeypatch):
    import smtplib

    tenant = tenant_scope
    reachable(tenant)
    batch = CouponBatch.objects.create(
        tenant=tenant, name="Kış", discount_type="amount", value=50, size=0
    )
    campaign = running(tenant, coupon_batch=batch)

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    sending.send_batch(tenant=tenant, campaign=campaign)
    monkeypatch.undo()
    recipient = Recipient.objects.get(campaign=campaign)
    sending.send_batch(tenant=tenant, campaign=campaign, now=recipient.next_attempt_at)
    assert Coupon.objects.filter(batch=batch).count() == 1
    assert Coupon.objects.get(batch=batch).code in mail.outbox[0].body


def test_bonus_points_go_to_members_once(tenant_scope):
    tenant = tenant_scope
    ProgrammeFactory(tenant=tenant)
    member_customer, other = reachable(tenant), reachable(tenant)
    with scopes_disabled():
        member = Member.objects.create(tenant=tenant, customer=member_customer)
    campaign = running(tenant, bonus_points=250)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    member.refresh_from_db()
    assert member.available == 250
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "250 bonus puan hesabınıza eklendi." in by_address[member_customer.email]
    assert "bonus" not in by_address[other.email]
    # Crediting the same recipient again (a retry) changes nothing.
    recipient = Recipient.objects.get(campaign=campaign, customer=member_customer)
    sending._bonus_points_credit(
        tenant=tenant,
        campaign=campaign,
        recipients=[recipient],
        members={member_customer.pk: member.pk},
    )
    member.refresh_from_db()
    assert member.available == 250
    [entry] = PointsEntry.objects.filter(member=member)
    assert entry.idempotency_key == f"campaign:recipient:{recipient.pk}"
    assert (entry.source, entry.reason) == ("campaign", f"Kampanya: {campaign.name}")


def test_bonus_points_need_an_active_programme(tenant_scope):
    with pytest.raises(services.CampaignError, match="loyalty programme"):
        services.campaign_update(
            tenant=tenant_scope,
            actor=None,
            campaign=CampaignFactory(tenant=tenant_scope),
            bonus_points=100,
        )


def _offline(tenant, channel, **customer):
    from django_scopes import scope

    with scope(tenant=tenant):
        batch = CouponBatch.objects.create(
            tenant=tenant, name="Kış", discount_type="amount", value=50, size=0
        )
        customer = reachable(tenant, consent_email=False, **customer)
        campaign = running(tenant, channels=[channel], coupon_batch=batch)
        return campaign, Recipient.objects.get(campaign=campaign, customer=customer), customer


def test_calls_and_letters_get_their_code_when_they_join_the_queue(tenant_scope):
    call_campaign, call, _customer = _offline(
        tenant_scope, "call", phone="+905321112233", consent_phone=True
    )
    _letter_campaign, letter, _customer = _offline(tenant_scope, "mail", address="Atatürk Cad. 5")

    assert call.coupon.customer_id == call.customer_id
    assert letter.coupon.customer_id == letter.customer_id
    assert call.coupon.batch_id == call_campaign.coupon_batch_id
    assert Coupon.objects.count() == 2


def test_the_call_list_shows_the_offer_in_the_customers_words_and_code(
    sales_client, tenant, settings
):
    from django.urls import reverse

    sales_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"

    _campaign, call, _customer = _offline(
        tenant, "call", phone="+905321112233", consent_phone=True, first_name="Ayşe",
        last_name="Kaya",
    )  # fmt: skip
    html = sales_client.get(
        reverse("campaigns:calls", kwargs={"tenant_slug": tenant.slug})
    ).content.decode()

    assert "Merhaba Ayşe Kaya, bu ay %20 indirim." in html
    assert "{name}" not in html
    assert f"Müşterinin kişisel kodu: {call.coupon.code}" in html


def test_the_letter_export_prints_the_offer_and_code(manager_client, tenant):
    from django.urls import reverse

    campaign, letter, _customer = _offline(
        tenant, "mail", address="Atatürk Cad. 5", city="İzmir", first_name="John",
        last_name="Smith", preferred_language="en",
    )  # fmt: skip
    url = reverse(
        "campaigns:mail_export", kwargs={"tenant_slug": tenant.slug, "campaign_id": campaign.pk}
    )
    body = b"".join(manager_client.post(url).streaming_content).decode("utf-8-sig")

    assert body.splitlines() == [
        "name,address,city,country,campaign,offer,code,reference",
        f"John Smith,Atatürk Cad. 5,İzmir,TR,{campaign.name},"
        f'"Hello John Smith, 20% off this month.",{letter.coupon.code},{letter.pk}',
    ]
