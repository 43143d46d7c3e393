"""Sign-in protections: the lockout answer after too many failed sign-ins (django-axes counts
them), the client's address behind a trusted proxy, and the rate-limited password reset
(django-ratelimit), which answers the same whether or not it sent a mail."""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import ngettext
from django_ratelimit.decorators import ratelimit

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    """The address of the person, for lockouts and rate limits.

    Behind `CRM_TRUSTED_PROXY_COUNT` reverse proxies, each appending to X-Forwarded-For, it is
    the entry that many places from the end (the ones before it can be forged by the client);
    with no proxy configured, the connection's own address.
    """
    proxies = settings.CRM_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The sign-in page again, saying how long to wait (HTTP 429). Each attempt during the
    lockout starts the wait again, so the full cool-off time is the true remaining time."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    username = (credentials or {}).get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


def _reset_address(group: str, request: HttpRequest) -> str:
    # One counter per address, however it is capitalised or padded.
    return request.POST.get("email", "").strip().lower()


def _rate(setting: str):
    # Read at request time, so tests (and operators) can change the limits.
    return lambda group, request: getattr(settings, setting)


@method_decorator(
    ratelimit(
        key=_reset_address,
        rate=_rate("CRM_PASSWORD_RESET_RATE_PER_ADDRESS"),
        method="POST",
        block=False,
    ),
    name="post",
)
@method_decorator(
    ratelimit(key="ip", rate=_rate("CRM_PASSWORD_RESET_RATE_PER_IP"), method="POST", block=False),
    name="post",
)
class ThrottledPasswordResetView(PasswordResetView):
    """Django's password reset, sending at most a few mails per address and per client address.

    Over a limit it answers exactly as when it sends (the "check your inbox" page), so the
    answer never tells whether an address has an account or was throttled.
    """

    def form_valid(self, form) -> HttpResponse:
        if getattr(self.request, "limited", False):
            logger.warning("Password reset throttled for client %s", client_ip(self.request))
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
