"""Accepting an invitation to a company, from the link in the mail (outside any tenant).

Signed in as the invited address: confirm and join. An address with an account, not signed in:
sign in first (the link comes back here). An address without one: choose a name and password.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from crm.forms import ConfirmationForm, InvitationAccountForm
from crm.models import Membership
from crm.services import TenancyError, invitation_accept, invitation_accept_with_new_account
from crm.tenancy.selectors import accounts_with_email, invitation_by_token, invitation_is_for

TEMPLATE = "registration/invitation_accept.html"


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    messages.success(
        request,
        _("Welcome to %(company)s. Your role: %(role)s.")
        % {"company": membership.tenant.name, "role": membership.get_role_display()},
    )
    return redirect("tenant_home", tenant_slug=membership.tenant.slug)


@ratelimit(key="ip", rate=lambda group, request: settings.CRM_INVITATION_RATE_PER_IP, block=False)
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    # Links are unguessable; the limit only keeps someone from trying them by the thousand.
    invitation = None if getattr(request, "limited", False) else invitation_by_token(token)
    if invitation is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    context = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        if not invitation_is_for(invitation, user):
            return render(request, TEMPLATE, {**context, "state": "other_account"}, status=403)
        form = ConfirmationForm(
            request.POST if request.method == "POST" else None,
            label=_("Yes, join %(company)s as %(role)s.")
            % {"company": invitation.tenant.name, "role": invitation.get_role_display()},
        )
        if request.method == "POST" and form.is_valid():
            try:
                membership = invitation_accept(invitation=invitation, user=user)
            except TenancyError as error:
                form.add_error(None, str(error))
            else:
                return _joined(request, membership)
        return render(request, TEMPLATE, {**context, "state": "confirm", "form": form})
    if accounts_with_email(invitation.email).exists():
        return render(request, TEMPLATE, {**context, "state": "sign_in"})
    form = InvitationAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitation_accept_with_new_account(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except TenancyError as error:
            form.add_error(None, str(error))
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership)
    return render(request, TEMPLATE, {**context, "state": "new_account", "form": form})
