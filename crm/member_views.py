"""The members page: tenant administrators list their people, invite someone (who joins only by
accepting), re-role, remove and revoke invitations. Each POST calls one service from
crm.services and turns a TenancyError into a message; destructive ones need a ticked box."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from crm.forms import ConfirmationForm, MemberInviteForm, MemberRoleForm
from crm.models import Membership, Role
from crm.services import (
    TenancyError,
    invitation_revoke,
    member_invite,
    member_name,
    member_remove,
    member_role_change,
)
from crm.tenancy.permissions import tenant_permission_required
from crm.tenancy.selectors import is_last_admin, members_of_tenant, open_invitations


def _member_or_404(request: HttpRequest, membership_id: int) -> Membership:
    # Filtered by the current tenant: another tenant's membership id is simply not found.
    return get_object_or_404(members_of_tenant(tenant=request.tenant), pk=membership_id)


@login_required
@tenant_permission_required("members.manage")
def member_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    members = list(members_of_tenant(tenant=request.tenant))
    admin_count = sum(1 for membership in members if membership.role == Role.ADMIN)
    rows = [
        {
            "membership": membership,
            "role_form": MemberRoleForm(
                initial={"role": membership.role}, auto_id=f"id_member_{membership.pk}_%s"
            ),
            "is_last_admin": membership.role == Role.ADMIN and admin_count == 1,
        }
        for membership in members
    ]
    context = {
        "rows": rows,
        "invitations": list(open_invitations(tenant=request.tenant)),
        "now": timezone.now(),
    }
    return render(request, "crm/members/list.html", context)


def _rate(setting: str):
    return lambda group, request: getattr(settings, setting)


@login_required
@tenant_permission_required("members.manage")
@ratelimit(key="user", rate=_rate("CRM_INVITATION_RATE_PER_USER"), method="POST", block=False)
@ratelimit(key="ip", rate=_rate("CRM_INVITATION_RATE_PER_IP"), method="POST", block=False)
def member_invite_view(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if getattr(request, "limited", False):
            form.add_error(None, _("Too many invitations in a short time; try again later."))
            return render(request, "crm/members/add.html", {"form": form}, status=429)
        try:
            invitation = member_invite(
                tenant=request.tenant,
                actor=request.user,
                domain=request.get_host(),
                use_https=request.is_secure(),
                **form.cleaned_data,
            )
        except TenancyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. They join once they accept it.")
                % {"email": invitation.email},
            )
            return redirect("member_list", tenant_slug=request.tenant.slug)
    return render(request, "crm/members/add.html", {"form": form})


@login_required
@tenant_permission_required("members.manage")
@require_POST
def member_role_change_view(
    request: HttpRequest, tenant_slug: str, membership_id: int
) -> HttpResponse:
    membership = _member_or_404(request, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered roles."))
        return redirect("member_list", tenant_slug=request.tenant.slug)
    try:
        member_role_change(
            tenant=request.tenant,
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
        )
    except TenancyError as error:
        messages.error(request, str(error))
        return redirect("member_list", tenant_slug=request.tenant.slug)
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": member_name(membership), "role": membership.get_role_display()},
    )
    if membership.user_id == request.user.pk:
        # You just gave up your own admin role: the members page is no longer yours.
        return redirect("tenant_home", tenant_slug=request.tenant.slug)
    return redirect("member_list", tenant_slug=request.tenant.slug)


@login_required
@tenant_permission_required("members.manage")
def member_remove_view(request: HttpRequest, tenant_slug: str, membership_id: int) -> HttpResponse:
    membership = _member_or_404(request, membership_id)
    name = member_name(membership)
    form = ConfirmationForm(
        request.POST if request.method == "POST" else None,
        label=_("Yes, remove %(name)s from this company.") % {"name": name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            member_remove(tenant=request.tenant, actor=request.user, membership=membership)
        except TenancyError as error:
            messages.error(request, str(error))
            return redirect("member_list", tenant_slug=request.tenant.slug)
        messages.success(
            request,
            _("%(name)s has been removed from %(company)s; their account stays.")
            % {"name": name, "company": request.tenant.name},
        )
        if membership.user_id == request.user.pk:
            return redirect("tenant_pick")
        return redirect("member_list", tenant_slug=request.tenant.slug)
    context = {
        "membership": membership,
        "form": form,
        "is_last_admin": is_last_admin(membership=membership),
        "is_self": membership.user_id == request.user.pk,
    }
    return render(request, "crm/members/remove.html", context, status=400 if form.is_bound else 200)


@login_required
@tenant_permission_required("members.manage")
def invitation_revoke_view(
    request: HttpRequest, tenant_slug: str, invitation_id: int
) -> HttpResponse:
    invitation = get_object_or_404(open_invitations(tenant=request.tenant), pk=invitation_id)
    form = ConfirmationForm(
        request.POST if request.method == "POST" else None,
        label=_("Yes, revoke the invitation to %(email)s.") % {"email": invitation.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation_revoke(tenant=request.tenant, actor=request.user, invitation=invitation)
        except TenancyError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s was revoked; its link no longer works.")
                % {"email": invitation.email},
            )
        return redirect("member_list", tenant_slug=request.tenant.slug)
    return render(
        request,
        "crm/members/revoke.html",
        {"invitation": invitation, "form": form},
        status=400 if form.is_bound else 200,
    )
