"""Sending: emails through Django's email backend in the customer's language with signed links,
SMS through the SMS backend; claimed so that a retry, a second worker or a killed worker never
contacts anyone twice; temporary failures retried with backoff; consent checked again."""

from __future__ import annotations

import io
import smtplib
from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from campaigns import links, services
from campaigns.models import (
    CampaignStatus,
    Channel,
    Recipient,
    RecipientStatus,
    SmsOutboxMessage,
)
from campaigns.services import sending
from customers.models import Language
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db


def running(tenant, **kwargs):
    campaign = CampaignFactory(tenant=tenant, status=CampaignStatus.SCHEDULED, **kwargs)
    return services.campaign_start(tenant=tenant, campaign_id=campaign.pk)


def test_each_customer_gets_one_email_in_their_language_with_their_name(tenant_scope):
    tenant = tenant_scope
    ayse = reachable(tenant, first_name="Ayşe", last_name="Yılmaz")
    john = reachable(tenant, first_name="John", last_name="Smith", preferred_language="en")
    campaign = running(tenant)
    sent, more = services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    assert (sent, more) == (2, False)
    by_address = {message.to[0]: message for message in mail.outbox}
    turkish, english = by_address[ayse.email], by_address[john.email]
    assert turkish.subject == "Size özel teklif"
    assert turkish.body.startswith("Sayın Ayşe,")
    assert "Teklifi görün: https://crm.example.com/go/" in turkish.body
    assert english.body.startswith("Dear John,")
    assert "See the offer: https://crm.example.com/go/" in english.body
    assert "Merhaba Ayşe Yılmaz, bu ay %20 indirim." in turkish.body
    assert english.subject == "An offer for you"
    assert "Hello John Smith, 20% off this month." in english.body
    assert john.preferred_language == Language.ENGLISH


def test_the_email_carries_signed_click_and_unsubscribe_links(tenant_scope):
    tenant = tenant_scope
    customer = reachable(tenant)
    campaign = running(tenant)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    [message] = mail.outbox
    recipient = Recipient.objects.get(campaign=campaign, customer=customer)
    click = links.click_url(tenant_id=tenant.pk, recipient_id=recipient.pk)
    unsubscribe = links.unsubscribe_url(tenant_id=tenant.pk, recipient_id=recipient.pk)
    assert click.startswith("https://crm.example.com/go/")
    assert click in message.body
    assert unsubscribe in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, _type = message.alternatives[0]
    assert click in html and unsubscribe in html


def test_the_email_links_to_the_customers_own_preference_page(tenant_scope):
    import re

    from acquisition.services import preference_link_customer

    tenant = tenant_scope
    customer = reachable(tenant)
    campaign = running(tenant)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    [message] = mail.outbox
    prefix = f"https://crm.example.com/p/{tenant.slug}/preferences/"
    [token] = re.findall(re.escape(prefix) + r"([^/\s]+)/", message.body)
    assert "Hangi iletileri hangi dilde alacağınızı seçmek için:" in message.body
    assert preference_link_customer(tenant=tenant, token=token) == customer
    html, _type = message.alternatives[0]
    assert f'href="{prefix}{token}/"' in html


def test_sending_twice_sends_nothing_more(tenant_scope):
    tenant = tenant_scope
    for _ in range(3):
        reachable(tenant)
    campaign = running(tenant)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)  # a retried task
    assert sending.send_batch(tenant=tenant, campaign=campaign) == (0, 0)  # a double click
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted({m.to[0] for m in mail.outbox})


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: the code stops between two lines."""


def test_a_killed_worker_never_causes_a_second_email(tenant_scope, monkeypatch):
    monkeypatch.setattr(sending, "MARK_EVERY", 2)  # marks after the 2nd and 4th message
    tenant = tenant_scope
    customers = [reachable(tenant) for _ in range(5)]
    campaign = running(tenant)
    delivered = []
    real_send = mail.get_connection().__class__.send_messages

    def send_then_die_on_third(self, messages):
        delivered.extend(m.to[0] for m in messages)
        real_send(self, messages)
        if len(delivered) == 3:
            raise WorkerKilled  # the third email left; the worker died before recording it

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", send_then_die_on_third
    )
    with pytest.raises(WorkerKilled):
        sending.send_batch(tenant=tenant, campaign=campaign)
    statuses = list(
        Recipient.objects.filter(campaign=campaign).order_by("id").values_list("status", flat=True)
    )
    assert statuses == ["sent", "sent", "sending", "sending", "sending"]
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", real_send)

    # Ten minutes later the tick recovers the claim: the first MARK_EVERY (2) still "sending"
    # may have gone out (the 3rd did) and are failed, not resent; the 5th, certainly never
    # tried, goes back to the queue and is sent once.
    later = timezone.now() + sending.STALLED_AFTER + timedelta(seconds=1)
    assert services.stalled_sends_recover(tenant=tenant, now=later) == (2, 1)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == len(set(addresses)) == 4  # nobody twice; the 4th was never sent
    rows = list(
        Recipient.objects.filter(campaign=campaign).select_related("customer").order_by("id")
    )
    assert set(addresses) == {rows[i].customer.email for i in (0, 1, 2, 4)}
    assert {r.customer.email for r in rows} == {c.email for c in customers}
    assert [r.status for r in rows] == ["sent", "sent", "failed", "failed", "sent"]
    assert "not sent again" in rows[2].last_error


def test_a_recent_claim_is_left_alone(tenant_scope):
    tenant = tenant_scope
    reachable(tenant)
    campaign = running(tenant)
    sending._claim(tenant=tenant, campaign=campaign, now=timezone.now(), limit=10)
    assert services.stalled_sends_recover(tenant=tenant) == (0, 0)


def test_a_temporary_failure_is_retried_with_backoff_then_failed(tenant_scope, monkeypatch):
    tenant = tenant_scope
    reachable(tenant)
    campaign = running(tenant)

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    now = timezone.now()
    sending.send_batch(tenant=tenant, campaign=campaign, now=now)
    recipient = Recipient.objects.get(campaign=campaign)
    assert recipient.status == RecipientStatus.QUEUED
    assert recipient.attempts == 1
    assert recipient.next_attempt_at == now + timedelta(minutes=1)
    # Not due yet: nothing is claimed.
    assert sending.send_batch(tenant=tenant, campaign=campaign, now=now) == (0, 0)
    # The 2nd, 3rd, 4th attempts wait 2, 4, 8 minutes; the 5th failure is final.
    for attempt, wait in ((2, 2), (3, 4), (4, 8)):
        now = recipient.next_attempt_at
        sending.send_batch(tenant=tenant, campaign=campaign, now=now)
        recipient.refresh_from_db()
        assert (recipient.attempts, recipient.next_attempt_at) == (
            attempt,
            now + timedelta(minutes=wait),
        )
    sending.send_batch(tenant=tenant, campaign=campaign, now=recipient.next_attempt_at)
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.FAILED
    assert recipient.attempts == sending.MAX_ATTEMPTS
    assert "connection lost" in recipient.last_error


def test_consent_withdrawn_after_the_start_stops_the_message(tenant_scope):
    tenant = tenant_scope
    customer = reachable(tenant)
    campaign = running(tenant)
    type(customer).objects.filter(pk=customer.pk).update(consent_email=False)
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    assert mail.outbox == []
    recipient = Recipient.objects.get(campaign=campaign)
    assert (recipient.status, recipient.reason) == ("cancelled", "consent_withdrawn")


def test_nothing_is_sent_outside_the_send_window(tenant_scope):
    tenant = tenant_scope
    reachable(tenant)
    local_hour = timezone.now().astimezone(tenant.zone).hour
    window = (time((local_hour + 2) % 24, 0), time((local_hour + 3) % 24, 0))
    if window[1] <= window[0]:
        window = (time(0, 0), time(0, 1)) if local_hour else (time(5, 0), time(6, 0))
    campaign = running(tenant, send_from=window[0], send_until=window[1])
    assert services.campaign_send(tenant=tenant, campaign_id=campaign.pk) == (0, False)
    assert mail.outbox == []


def test_sms_go_through_the_console_backend(tenant_scope, capsys):
    tenant = tenant_scope
    reachable(tenant, consent_email=False, phone="+905321112233", consent_sms=True)
    campaign = running(tenant, channels=[Channel.SMS])
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    printed = capsys.readouterr().out
    assert "SMS to +905321112233: Merhaba" in printed
    assert "/unsubscribe/" in printed
    assert Recipient.objects.get(campaign=campaign).status == RecipientStatus.SENT


def test_outbox_backend_keeps_sms_for_the_provider_file(tenant_scope, settings):
    settings.CRM_SMS_BACKEND = "campaigns.sms.OutboxSmsBackend"
    tenant = tenant_scope
    customer = reachable(tenant, consent_email=False, phone="+905321112233", consent_sms=True)
    campaign = running(tenant, channels=[Channel.SMS])
    services.campaign_send(tenant=tenant, campaign_id=campaign.pk)
    [message] = SmsOutboxMessage.objects.all()
    assert message.phone == "+905321112233"
    assert message.text.startswith(f"Merhaba {customer.display_name}, bu ay %20 indirim.")


def test_console_sms_backend_writes_one_line_per_message():
    from campaigns.sms import ConsoleSmsBackend, SmsMessage

    stream = io.StringIO()
    count = ConsoleSmsBackend(stream=stream).send_messages(
        [SmsMessage(1, 2, "+905321112233", "Merhaba"), SmsMessage(1, 3, "+905321112234", "Selam")]
    )
    assert count == 2
    assert stream.getvalue() == "SMS to +905321112233: Merhaba\nSMS to +905321112234: Selam\n"


def test_letters_export_marks_letters_sent_and_lists_names_and_addresses(manager_client, tenant):
    from django.urls import reverse
    from django_scopes import scope

    from crm.models import AuditEntry

    with scope(tenant=tenant):
        reachable(
            tenant,
            first_name="Ayşe",
            last_name="Kaya",
            consent_email=False,
            address="=Atatürk Cad. 5",
            city="İzmir",
        )
        campaign = running(tenant, channels=[Channel.MAIL])
    url = reverse(
        "campaigns:mail_export", kwargs={"tenant_slug": tenant.slug, "campaign_id": campaign.pk}
    )
    response = manager_client.post(url, {"format": "international"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines() == [
        "name,address,city,country,campaign,offer,code,reference",
        f"Ayşe Kaya,'=Atatürk Cad. 5,İzmir,TR,{campaign.name},"
        f'"Merhaba Ayşe Kaya, bu ay %20 indirim.",,'
        f"{Recipient.objects.with_scopes_disabled().get(campaign=campaign).pk}",
    ]
    with scope(tenant=tenant):
        assert Recipient.objects.get(campaign=campaign).status == RecipientStatus.SENT
        assert AuditEntry.objects.filter(action="campaigns.letters.downloaded").exists()


@pytest.mark.parametrize("customers", [2, 19])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    tenant_scope, settings, customers, django_assert_num_queries
):
    """Coupons, bonus points, cancellations and SMS go in set-based statements: a batch of 19
    costs what a batch of 2 does (MARK_EVERY is 20, so one mark)."""
    from loyalty.models import CouponBatch, Member
    from tests.loyalty.factories import ProgrammeFactory

    settings.CRM_SMS_BACKEND = "campaigns.sms.OutboxSmsBackend"
    tenant = tenant_scope
    ProgrammeFactory(tenant=tenant)
    for index in range(customers):
        by_sms = {"consent_email": False, "phone": f"+9053211122{index:02d}", "consent_sms": True}
        customer = reachable(tenant, **(by_sms if index % 2 else {}))
        Member.objects.create(tenant=tenant, customer=customer)
    suppressed, withdrawn = reachable(tenant), reachable(tenant)
    batch = CouponBatch.objects.create(
        tenant=tenant, name="Kış", discount_type="amount", value=50, size=0
    )
    campaign = running(tenant, channels=[Channel.EMAIL, Channel.SMS], coupon_batch=batch,
                       bonus_points=100)  # fmt: skip
    services.suppression_add(tenant=tenant, actor=None, customer=suppressed, reason="istemiyor")
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(consent_email=False)

    # As campaign_send reads it for each batch:
    campaign = type(campaign).objects.select_related("tenant", "coupon_batch").get(pk=campaign.pk)
    # claim, recipients, do-not-contact, 2 cancellations (one per reason), members, coupons
    # (insert, link), points (programme, credit), SMS outbox, mark sent
    with django_assert_num_queries(12):
        assert sending.send_batch(tenant=tenant, campaign=campaign) == (customers + 2, customers)

    assert len(mail.outbox) + SmsOutboxMessage.objects.count() == customers
    assert Member.objects.filter(available=100).count() == customers
    statuses = Recipient.objects.filter(campaign=campaign).values_list("status", "reason")
    assert sorted(set(statuses)) == [
        ("cancelled", "consent_withdrawn"), ("cancelled", "suppressed"), ("sent", ""),
    ]  # fmt: skip
