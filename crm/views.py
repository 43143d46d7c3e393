"""Core pages: choosing a tenant after sign-in, the tenant's home page, entering configuration."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
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
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except OperationalError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


# Seconds a client is told to wait while the database is unreachable (a restart, a failover).
DATABASE_RETRY_AFTER = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. A lost database connection is a 503 that says to try again: Django drops
    the broken connection at the end of the request and the next one connects afresh
    (CONN_HEALTH_CHECKS), so the site recovers without a restart. Rendered without the request,
    like Django's own, because the context processors would need the database."""
    if isinstance(sys.exc_info()[1], OperationalError):
        response = HttpResponseServerError(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)
