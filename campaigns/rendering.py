"""A campaign's message for one customer: in the customer's language, with their name, the
offer (and its coupon code or bonus points), the tracked link, the unsubscribe link and (in
emails) the link to their own preference page (acquisition's signed e-CRM page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from acquisition.links import preference_url
from campaigns import links
from campaigns.models import Campaign
from customers.models import Customer


@dataclass(frozen=True)
class OfferExtras:
    """What the offer carries for this customer besides its text (loyalty)."""

    coupon_code: str = ""
    bonus_points: int | None = None


NO_EXTRAS = OfferExtras()


def offer_text(*, campaign: Campaign, language: str, name: str) -> str:
    """The offer's text in `language` (or the other one when empty) with the customer's name
    in place of {name}: what an email or SMS says, a caller reads out, a letter prints."""
    _subject, body = campaign.offer_for(language or campaign.tenant.default_language)
    return body.replace("{name}", name)


def _context(
    *, campaign: Campaign, customer: Customer, recipient_id: int, extras: OfferExtras
) -> dict:
    language = customer.preferred_language or campaign.tenant.default_language
    subject, _body = campaign.offer_for(language)
    name = customer.display_name or str(customer)
    return {
        "language": language,
        "subject": subject or campaign.name,
        "offer": offer_text(campaign=campaign, language=language, name=name),
        "name": name,
        "first_name": customer.first_name or name,
        "company": campaign.tenant.name,
        "coupon_code": extras.coupon_code,
        "bonus_points": extras.bonus_points,
        "click_url": (
            links.click_url(tenant_id=campaign.tenant_id, recipient_id=recipient_id)
            if campaign.offer_url
            else ""
        ),
        "unsubscribe_url": links.unsubscribe_url(
            tenant_id=campaign.tenant_id, recipient_id=recipient_id
        ),
    }


def offer_email(
    *,
    campaign: Campaign,
    customer: Customer,
    recipient_id: int,
    extras: OfferExtras = NO_EXTRAS,
) -> EmailMultiAlternatives:
    context = _context(
        campaign=campaign, customer=customer, recipient_id=recipient_id, extras=extras
    )
    context["preference_url"] = preference_url(tenant=campaign.tenant, customer=customer)
    with translation.override(context["language"]):
        text = render_to_string("campaigns/email/offer.txt", context)
        html = render_to_string("campaigns/email/offer.html", context)
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[customer.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def offer_sms(
    *,
    campaign: Campaign,
    customer: Customer,
    recipient_id: int,
    extras: OfferExtras = NO_EXTRAS,
) -> str:
    context = _context(
        campaign=campaign, customer=customer, recipient_id=recipient_id, extras=extras
    )
    with translation.override(context["language"]):
        return render_to_string("campaigns/sms/offer.txt", context).strip()
