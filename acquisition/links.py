"""Links to acquisition's public pages that other apps put in their messages: the customer's
own preference page (campaign emails carry it beside the unsubscribe link).

The link is signed for one customer of one company and expires after
PREFERENCE_LINK_MAX_AGE (see services/preferences.py); it needs no login.
"""

from __future__ import annotations

from acquisition.services.preferences import preference_link_path, preference_link_url
from crm.models import Tenant
from customers.models import Customer


def preference_path(*, tenant: Tenant, customer: Customer) -> str:
    """The site-relative path of the customer's preference page (for request-built links)."""
    return preference_link_path(tenant=tenant, customer=customer)


def preference_url(*, tenant: Tenant, customer: Customer) -> str:
    """The absolute address of the customer's preference page on CRM_SITE_URL, for messages
    sent outside a request (campaign emails). Raises PreferenceLinkError when the customer is
    not the company's. A new link each call (its clock starts now); any of them opens the page
    until it expires."""
    return preference_link_url(tenant=tenant, customer=customer)
