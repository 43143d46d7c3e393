"""The customer's own preference page (e-CRM): a signed, expiring link per customer and
company, and the changes made through it, each recorded in the consent history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from crm.audit import audit_log
from crm.models import Tenant
from customers.models import CONSENT_FIELD_BY_CHANNEL, ConsentSource, Customer, Language
from customers.services import consent_record, customer_update

# How long a link works; one in a campaign email should outlive the campaign.
PREFERENCE_LINK_MAX_AGE = timedelta(days=30)


class PreferenceLinkError(Exception):
    """The link was changed, or it belongs to another company or to no customer any more."""


class PreferenceLinkExpired(PreferenceLinkError):
    """The link was genuine but is older than PREFERENCE_LINK_MAX_AGE."""


def _signer(tenant: Tenant) -> signing.TimestampSigner:
    # The tenant in the salt: a link signed for one company never opens in another.
    return signing.TimestampSigner(salt=f"acquisition.preferences.tenant-{tenant.pk}")


def preference_link_token(*, tenant: Tenant, customer: Customer) -> str:
    """The token of the customer's preference link (put in emails by campaigns)."""
    if customer.tenant_id != tenant.pk:
        raise PreferenceLinkError("The customer does not belong to this company.")
    return _signer(tenant).sign(str(customer.pk))


def preference_link_path(*, tenant: Tenant, customer: Customer) -> str:
    """The site-relative path of the customer's preference page."""
    token = preference_link_token(tenant=tenant, customer=customer)
    return reverse("preferences", kwargs={"company": tenant.slug, "token": token})


def preference_link_url(*, tenant: Tenant, customer: Customer) -> str:
    """The absolute address of the customer's preference page on CRM_SITE_URL (messages)."""
    return settings.CRM_SITE_URL.rstrip("/") + preference_link_path(
        tenant=tenant, customer=customer
    )


def preference_link_customer(*, tenant: Tenant, token: str) -> Customer:
    """The customer a token opens in `tenant`; raises PreferenceLinkExpired or
    PreferenceLinkError (tampered, another company's, archived customer)."""
    try:
        value = _signer(tenant).unsign(token, max_age=PREFERENCE_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise PreferenceLinkExpired(str(exc)) from exc
    except signing.BadSignature as exc:
        raise PreferenceLinkError(str(exc)) from exc
    customer = Customer.objects.filter(
        tenant=tenant, pk=int(value), archived_at__isnull=True
    ).first()
    if customer is None:
        raise PreferenceLinkError("No such customer.")
    return customer


PREFERENCE_NOTE = "preference page"


@transaction.atomic
def preferences_update(
    *, tenant: Tenant, customer: Customer, consents: dict[str, bool], language: str
) -> list[str]:
    """Apply what the customer chose on their page: each channel whose consent changed gets a
    consent record (source: web form, noted as the preference page), and the language.
    Returns what changed (channel names and "language")."""
    if language not in Language.values:
        raise ValueError(f"Unknown language {language!r}")
    with translation.override(tenant.default_language):  # kept in the company's language
        note = _("Changed by the customer on their preference page")
    changed = []
    for channel, field in CONSENT_FIELD_BY_CHANNEL.items():
        if channel in consents and bool(consents[channel]) != getattr(customer, field):
            consent_record(
                tenant=tenant,
                actor=None,
                customer=customer,
                channel=channel,
                granted=bool(consents[channel]),
                source=ConsentSource.WEB_FORM,
                note=note,
            )
            changed.append(str(channel))
    if language != customer.preferred_language:
        customer_update(tenant=tenant, actor=None, customer=customer, preferred_language=language)
        changed.append("language")
    return changed


class PreferenceLinkNotSent(PreferenceLinkError):
    """The link cannot be emailed (no address, archived customer); the message is for the
    user."""


def preference_link_send(*, tenant: Tenant, actor: Any, customer: Customer) -> str:
    """Email the customer the link to their preference page, in their language, when they ask
    for it (staff send it from the customer's page). Returns the address it went to."""
    if customer.tenant_id != tenant.pk:
        raise PreferenceLinkNotSent(_("The customer does not belong to this company."))
    if customer.archived_at is not None or not customer.email:
        raise PreferenceLinkNotSent(_("The customer has no email address to send the link to."))
    url = preference_link_url(tenant=tenant, customer=customer)
    with translation.override(customer.preferred_language):
        subject = _("Your preferences at %(company)s") % {"company": tenant.name}
        body = render_to_string(
            "acquisition/email/preference_link.txt",
            {"company": tenant, "customer": customer, "url": url,
             "days": PREFERENCE_LINK_MAX_AGE.days},
        )  # fmt: skip
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [customer.email])
    audit_log(
        tenant=tenant,
        actor=actor,
        action="acquisition.preference_link.sent",
        target=customer,
        data={"email": customer.email},
    )
    return customer.email
