"""A campaign's message for one customer: in the customer's language, with their name, the
offer (and its coupon code or bonus points), the tracked link, the unsubscribe link and (in
emails) the link to their own preference page (acquisition's signed e-CRM page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape

from acquisition.links import preference_url
from acquisition.services.preferences import preference_link_token
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
    return _email(
        subject=context["subject"],
        text=text,
        html=html,
        to=customer.email,
        unsubscribe_url=context["unsubscribe_url"],
    )


def _email(
    *, subject: str, text: str, html: str, to: str, unsubscribe_url: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
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


# Placeholders the templates are rendered with once per batch (control characters: nothing
# escapes or wraps them, and no name or address carries them).
_FIRST_NAME = "\x01first_name\x01"
_NAME = "\x01name\x01"
_COUPON_CODE = "\x01coupon_code\x01"
_CLICK_URL = "\x01click_url\x01"
_UNSUBSCRIBE_URL = "\x01unsubscribe_url\x01"
_PREFERENCE_URL = "\x01preference_url\x01"
_PLACEHOLDERS = (_FIRST_NAME, _NAME, _COUPON_CODE, _CLICK_URL, _UNSUBSCRIBE_URL, _PREFERENCE_URL)


class OfferRenderer:
    """One campaign's messages for many customers (a sending batch), the same as offer_email()
    and offer_sms() write, at a fraction of the cost: each template is rendered once per
    language and offer variant with placeholders, then filled in per customer (escaped, and
    the offer's line breaks kept, in the HTML part, as the template does), and the signed
    links are made without reversing their addresses each time."""

    def __init__(self, *, campaign: Campaign) -> None:
        self.campaign = campaign
        self.links = links.MessageLinks(tenant_id=campaign.tenant_id)
        self._preference = links.url_around_token("preferences", company=campaign.tenant.slug)
        self._frames: dict[tuple, tuple[str, str, str, str]] = {}

    def _frame(self, language: str, extras: OfferExtras) -> tuple[str, str, str, str]:
        """(subject, text, html, sms) with placeholders, for one language and offer variant."""
        key = (language, bool(extras.coupon_code), extras.bonus_points)
        if key not in self._frames:
            campaign = self.campaign
            subject, _body = campaign.offer_for(language)
            context = {
                "language": language,
                "subject": subject or campaign.name,
                "offer": offer_text(campaign=campaign, language=language, name=_NAME),
                "name": _NAME,
                "first_name": _FIRST_NAME,
                "company": campaign.tenant.name,
                "coupon_code": _COUPON_CODE if extras.coupon_code else "",
                "bonus_points": extras.bonus_points,
                "click_url": _CLICK_URL if campaign.offer_url else "",
                "unsubscribe_url": _UNSUBSCRIBE_URL,
                "preference_url": _PREFERENCE_URL,
            }
            with translation.override(language):
                self._frames[key] = (
                    context["subject"],
                    render_to_string("campaigns/email/offer.txt", context),
                    render_to_string("campaigns/email/offer.html", context),
                    render_to_string("campaigns/sms/offer.txt", context),
                )
        return self._frames[key]

    def _values(
        self, *, customer: Customer, recipient_id: int, extras: OfferExtras, email: bool
    ) -> tuple[str, dict[str, str]] | None:
        """The customer's language and the placeholders' values (None when a value carries a
        placeholder's marker: then the message is rendered the plain way)."""
        name = customer.display_name or str(customer)
        values = {
            _FIRST_NAME: customer.first_name or name,
            _NAME: name,
            _COUPON_CODE: extras.coupon_code,
            _CLICK_URL: self.links.click_url(recipient_id) if self.campaign.offer_url else "",
            _UNSUBSCRIBE_URL: self.links.unsubscribe_url(recipient_id),
        }
        if email:
            token = preference_link_token(tenant=self.campaign.tenant, customer=customer)
            values[_PREFERENCE_URL] = self._preference[0] + token + self._preference[1]
        if any("\x01" in value for value in values.values()):
            return None
        return customer.preferred_language or self.campaign.tenant.default_language, values

    @staticmethod
    def _fill(frame: str, values: dict[str, str], *, html: bool) -> str:
        for placeholder, value in values.items():
            if placeholder in frame:
                if html:
                    # The offer's text (with the name in it) goes through linebreaksbr.
                    value = (
                        linebreaksbr(value) if placeholder == _NAME else conditional_escape(value)
                    )
                frame = frame.replace(placeholder, value)
        return frame

    def email(
        self, *, customer: Customer, recipient_id: int, extras: OfferExtras = NO_EXTRAS
    ) -> EmailMultiAlternatives:
        filled = self._values(
            customer=customer, recipient_id=recipient_id, extras=extras, email=True
        )
        if filled is None:
            return offer_email(
                campaign=self.campaign, customer=customer, recipient_id=recipient_id, extras=extras
            )
        language, values = filled
        subject, text, html, _sms = self._frame(language, extras)
        return _email(
            subject=subject,
            text=self._fill(text, values, html=False),
            html=self._fill(html, values, html=True),
            to=customer.email,
            unsubscribe_url=values[_UNSUBSCRIBE_URL],
        )

    def sms(self, *, customer: Customer, recipient_id: int, extras: OfferExtras = NO_EXTRAS) -> str:
        filled = self._values(
            customer=customer, recipient_id=recipient_id, extras=extras, email=False
        )
        if filled is None:
            return offer_sms(
                campaign=self.campaign, customer=customer, recipient_id=recipient_id, extras=extras
            )
        language, values = filled
        return self._fill(self._frame(language, extras)[3], values, html=False).strip()
