"""Signed links in campaign messages: the click-tracking redirect and the unsubscribe link.

A token is the tenant id and the recipient id, signed with the site's secret key (Django's
signing, one salt per purpose), so it needs no login and cannot be forged or moved: a changed
character fails the signature, and a token names its tenant, so a recipient id of another
tenant is not found under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

CLICK_SALT = "campaigns.click"
UNSUBSCRIBE_SALT = "campaigns.unsubscribe"


class InvalidLink(Exception):
    """The token was changed, made for another purpose, or is not a token at all."""


@dataclass(frozen=True)
class LinkTarget:
    tenant_id: int
    recipient_id: int


def make_token(*, tenant_id: int, recipient_id: int, salt: str) -> str:
    # No timestamp: an unsubscribe link must work however old the message is, and the same
    # recipient always gets the same link.
    return signing.Signer(salt=salt).sign_object([tenant_id, recipient_id])


def read_token(token: str, *, salt: str) -> LinkTarget:
    try:
        value = signing.Signer(salt=salt).unsign_object(token)
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) for part in value)
    ):
        raise InvalidLink
    return LinkTarget(tenant_id=value[0], recipient_id=value[1])


def absolute(path: str) -> str:
    return settings.CRM_SITE_URL.rstrip("/") + path


def click_url(*, tenant_id: int, recipient_id: int) -> str:
    token = make_token(tenant_id=tenant_id, recipient_id=recipient_id, salt=CLICK_SALT)
    return absolute(reverse("campaign_click", kwargs={"token": token}))


def unsubscribe_url(*, tenant_id: int, recipient_id: int) -> str:
    token = make_token(tenant_id=tenant_id, recipient_id=recipient_id, salt=UNSUBSCRIBE_SALT)
    return absolute(reverse("campaign_unsubscribe", kwargs={"token": token}))


# Stands for a token while an address is reversed once (no character of a signed token, which
# reverse() leaves as it is: letters, digits, "-", "_" and ":").
_TOKEN_PLACEHOLDER = "TOKEN.PLACEHOLDER"


def url_around_token(view_name: str, **kwargs: str) -> tuple[str, str]:
    """The absolute address of `view_name` split where its token goes: prefix + token + suffix
    is what absolute(reverse(view_name, kwargs={..., "token": token})) returns."""
    path = reverse(view_name, kwargs={**kwargs, "token": _TOKEN_PLACEHOLDER})
    prefix, suffix = absolute(path).split(_TOKEN_PLACEHOLDER)
    return prefix, suffix


class MessageLinks:
    """The click and unsubscribe links of many messages of one tenant (a sending batch): the
    same addresses as click_url() and unsubscribe_url(), with the signers made and the
    addresses reversed once instead of once per message."""

    def __init__(self, *, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self._click_signer = signing.Signer(salt=CLICK_SALT)
        self._unsubscribe_signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
        self._click = url_around_token("campaign_click")
        self._unsubscribe = url_around_token("campaign_unsubscribe")

    def click_url(self, recipient_id: int) -> str:
        token = self._click_signer.sign_object([self.tenant_id, recipient_id])
        return self._click[0] + token + self._click[1]

    def unsubscribe_url(self, recipient_id: int) -> str:
        token = self._unsubscribe_signer.sign_object([self.tenant_id, recipient_id])
        return self._unsubscribe[0] + token + self._unsubscribe[1]
