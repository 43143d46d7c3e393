"""The members page: tenant administrators list, add, re-role and remove the people of their
company. Each POST calls one service from crm.services and turns a TenancyError into a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import MemberAddForm, MemberRoleForm
from crm.models import Membership, Role
from crm.services import (
    TenancyError,
    member_add,
    member_name,
    member_remove,
    member_role_change,
)
from crm.tenancy.permissions import tenant_permission_required
from crm.tenancy.selectors import is_last_admin, members_of_tenant


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
    return render(request, "crm/members/list.html", {"rows": rows})


@login_required
@tenant_permission_required("members.manage")
def member_add_view(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = member_add(
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
                request, _("%(name)s has been added.") % {"name": member_name(membership)}
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
    if request.method == "POST":
        try:
            member_remove(tenant=request.tenant, actor=request.user, membership=membership)
        except TenancyError as error:
            messages.error(request, str(error))
            return redirect("member_list", tenant_slug=request.tenant.slug)
        messages.success(
            request, _("%(name)s has been removed.") % {"name": member_name(membership)}
        )
        if membership.user_id == request.user.pk:
            return redirect("tenant_pick")
        return redirect("member_list", tenant_slug=request.tenant.slug)
    context = {
        "membership": membership,
        "is_last_admin": is_last_admin(membership=membership),
        "is_self": membership.user_id == request.user.pk,
    }
    return render(request, "crm/members/remove.html", context)
