"""Links to acquisition's public pages that other apps put in their messages: the customer's
own preference page (campaign emails carry it beside the unsubscribe link).

The link is signed for one customer of one company and expires after
PREFERENCE_LINK_MAX_AGE (see services/preferences.py); it needs no login.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from acquisition.services.preferences import preference_link_token
from crm.models import Tenant
from customers.models import Customer


def preference_path(*, tenant: Tenant, customer: Customer) -> str:
    """The site-relative path of the customer's preference page (for request-built links)."""
    token = preference_link_token(tenant=tenant, customer=customer)
    return reverse("preferences", kwargs={"company": tenant.slug, "token": token})


def preference_url(*, tenant: Tenant, customer: Customer) -> str:
    """The absolute address of the customer's preference page on CRM_SITE_URL, for messages
    sent outside a request (campaign emails). Raises PreferenceLinkError when the customer is
    not the company's. A new link each call (its clock starts now); any of them opens the page
    until it expires."""
    return settings.CRM_SITE_URL.rstrip("/") + preference_path(tenant=tenant, customer=customer)
