"""The pyramid page, the run status partial, "recalculate now", and pinning a customer's tier.
Thin: parse, call one service or selector, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.tenancy.permissions import role_has_permission, tenant_permission_required
from customers.models import Customer
from segmentation import selectors, services
from segmentation.dashboard_views import dashboard_sections
from segmentation.forms import TierPinForm


def _run_status_context(request: HttpRequest) -> dict:
    # A run whose worker died shows as failed at once, not "running" until someone retries.
    services.dead_runs_fail(tenant=request.tenant)
    run = selectors.run_latest(tenant=request.tenant)
    return {
        "run": run,
        "run_counts": selectors.run_tier_counts(tenant=request.tenant, run=run),
        "may_recompute": role_has_permission(request.tenant_role, "scores.recompute"),
    }


@login_required
@tenant_permission_required("dashboard.view")
@require_GET
def pyramid(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    run = selectors.run_last_succeeded(tenant=request.tenant)
    context = {
        "last_run": run,
        "dashboard": dashboard_sections(request, run=run),
        **_run_status_context(request),
    }
    return render(request, "segmentation/pyramid.html", context)


@login_required
@tenant_permission_required("scores.recompute")
@require_GET
def run_status(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    return render(request, "segmentation/_run_status.html", _run_status_context(request))


@login_required
@tenant_permission_required("scores.recompute")
@require_POST
def recompute(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    services.score_run_request(tenant=request.tenant, requested_by=request.user)
    if request.htmx:
        return render(request, "segmentation/_run_status.html", _run_status_context(request))
    messages.success(request, _("Recalculation queued; the scores update in a few moments."))
    return redirect("segmentation:pyramid", tenant_slug=request.tenant.slug)


def _customer_url(request: HttpRequest, customer: Customer) -> str:
    return reverse(
        "customers:detail", kwargs={"tenant_slug": request.tenant.slug, "customer_id": customer.pk}
    )


@login_required
@tenant_permission_required("customers.pin_tier")
@require_http_methods(["GET", "POST"])
def pin_tier(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    if request.method == "GET":
        # The customer page asks for the form when its "pin a tier" section is opened (htmx)
        # instead of drawing it on every visit; without JavaScript its link opens this page.
        context = {"customer": customer, "pin_form": TierPinForm(tenant=request.tenant)}
        template = "segmentation/_pin_form.html" if request.htmx else "segmentation/pin.html"
        return render(request, template, context)
    form = TierPinForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_customer_url(request, customer))
    try:
        services.tier_pin_set(
            tenant=request.tenant,
            customer=customer,
            tier=form.cleaned_data["tier"],
            reason=form.cleaned_data["reason"],
            until=form.cleaned_data["until"],
            actor=request.user,
        )
    except services.PinError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The customer's tier is pinned."))
    return redirect(_customer_url(request, customer))


@login_required
@tenant_permission_required("customers.pin_tier")
@require_POST
def unpin_tier(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    try:
        services.tier_pin_remove(tenant=request.tenant, customer=customer, actor=request.user)
    except services.PinError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The pin is removed; the score decides the tier again."))
    return redirect(_customer_url(request, customer))
