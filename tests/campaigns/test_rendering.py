"""The batch renderer (what the sender uses) writes exactly what the plain per-message
rendering writes, for every language and offer variant and for names HTML must escape."""

from __future__ import annotations

import pytest

from campaigns.rendering import OfferExtras, OfferRenderer, offer_email, offer_sms
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db

VARIANTS = [
    OfferExtras(),
    OfferExtras(coupon_code="KIS-7Q2X"),
    OfferExtras(bonus_points=1),
    OfferExtras(coupon_code="A&B<1>", bonus_points=250),
]


@pytest.fixture
def frozen_signing_clock(monkeypatch):
    """The preference link's token carries the second it was signed in."""

    class Clock:
        @staticmethod
        def time() -> float:
            return 1_790_000_000.0

    monkeypatch.setattr("django.core.signing.time", Clock)


def customers(tenant):
    return [
        reachable(tenant, first_name="Ayşe", last_name="Yılmaz"),
        reachable(tenant, first_name="John", last_name="Smith", preferred_language="en"),
        reachable(tenant, first_name='O\'Brien & "Sons"', last_name="<b>Ltd</b>"),
        reachable(tenant, first_name="", last_name="Öztürk"),
    ]


def same_email(fast, plain) -> None:
    assert fast.subject == plain.subject
    assert fast.body == plain.body
    assert fast.alternatives == plain.alternatives
    assert fast.to == plain.to
    assert fast.from_email == plain.from_email
    assert fast.extra_headers == plain.extra_headers


@pytest.mark.parametrize("extras", VARIANTS)
def test_batch_emails_are_the_plain_emails(tenant_scope, frozen_signing_clock, extras):
    tenant = tenant_scope
    campaign = CampaignFactory(
        tenant=tenant, body_tr="Merhaba {name},\nbu ay %20 indirim & <hediye>."
    )
    renderer = OfferRenderer(campaign=campaign)
    for recipient_id, customer in enumerate(customers(tenant), start=41):
        same_email(
            renderer.email(customer=customer, recipient_id=recipient_id, extras=extras),
            offer_email(
                campaign=campaign, customer=customer, recipient_id=recipient_id, extras=extras
            ),
        )


@pytest.mark.parametrize("extras", VARIANTS)
def test_batch_sms_are_the_plain_sms(tenant_scope, extras):
    tenant = tenant_scope
    campaign = CampaignFactory(tenant=tenant, offer_url="")
    renderer = OfferRenderer(campaign=campaign)
    for recipient_id, customer in enumerate(customers(tenant), start=7):
        assert renderer.sms(
            customer=customer, recipient_id=recipient_id, extras=extras
        ) == offer_sms(
            campaign=campaign, customer=customer, recipient_id=recipient_id, extras=extras
        )


def test_a_name_with_a_placeholder_marker_is_rendered_the_plain_way(tenant_scope):
    tenant = tenant_scope
    campaign = CampaignFactory(tenant=tenant)
    odd = reachable(tenant, first_name="\x01name\x01", last_name="X")
    message = OfferRenderer(campaign=campaign).email(customer=odd, recipient_id=3)
    assert message.body.startswith("Sayın \x01name\x01,")
