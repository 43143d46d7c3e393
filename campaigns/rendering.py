"""A campaign's message for one customer: in the customer's language, with their name, the
offer, the tracked link and the unsubscribe link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from campaigns import links
from campaigns.models import Campaign
from customers.models import Customer


def _context(*, campaign: Campaign, customer: Customer, recipient_id: int) -> dict:
    language = customer.preferred_language or campaign.tenant.default_language
    subject, body = campaign.offer_for(language)
    name = customer.display_name or str(customer)
    return {
        "language": language,
        "subject": subject or campaign.name,
        "offer": body.replace("{name}", name),
        "name": name,
        "first_name": customer.first_name or name,
        "company": campaign.tenant.name,
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
    *, campaign: Campaign, customer: Customer, recipient_id: int
) -> EmailMultiAlternatives:
    context = _context(campaign=campaign, customer=customer, recipient_id=recipient_id)
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


def offer_sms(*, campaign: Campaign, customer: Customer, recipient_id: int) -> str:
    context = _context(campaign=campaign, customer=customer, recipient_id=recipient_id)
    with translation.override(context["language"]):
        return render_to_string("campaigns/sms/offer.txt", context).strip()
