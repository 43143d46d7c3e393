"""Core pages: choosing a tenant after sign-in, the tenant's home page, entering configuration."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from crm.home import home_sections_for
from crm.tenancy.permissions import tenant_permission_required
from crm.tenancy.selectors import memberships_for_user


@login_required
def tenant_pick(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("tenant_home", tenant_slug=memberships[0].tenant.slug)
    return render(request, "crm/tenant_pick.html", {"memberships": memberships})


@login_required
@tenant_permission_required("customers.view")
def tenant_home(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    sections = home_sections_for(request=request, tenant=request.tenant, role=request.tenant_role)
    return render(request, "crm/home.html", {"sections": sections})


@login_required
@tenant_permission_required("settings.manage")
def configuration_enter(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    # The middleware has remembered this tenant for the admin site; go configure it.
    return redirect("admin:index")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the static storage's manifest is only read once it exists.
    return redirect(static("img/favicon.svg"), permanent=True)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
