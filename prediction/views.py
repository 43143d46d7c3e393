"""Predictions list, "predict now", the relationship review and its decisions, back-tests.
Thin: parse, call one service or selector, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.tenancy.permissions import role_has_permission, tenant_permission_required
from customers.models import Customer
from prediction import charts, selectors, services
from prediction.forms import BackTestForm, DecisionForm, ReviewFilterForm
from prediction.models import DecisionAction
from prediction.services.backtest import backtest_request
from prediction.services.review import relationship_decide

PAGE_SIZE = 50
# A review card carries its evidence and a decision form: fewer per page keeps it fast.
REVIEW_PAGE_SIZE = 20
MAX_PAGE = 400


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE) -> dict:
    """Fetch one page plus one row (no count of the whole table)."""
    try:
        number = max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except ValueError:
        number = 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return {
        "rows": rows[:size],
        "page": number,
        "has_next": len(rows) > size and number < MAX_PAGE,
        "has_previous": number > 1,
    }


@login_required
@tenant_permission_required("dashboard.view")
@require_GET
def prediction_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    order = request.GET.get("order", "value")
    if order not in selectors.PREDICTION_ORDERS:
        order = "value"
    context = {
        "run": selectors.run_latest(tenant=request.tenant),
        "order": order,
        "columns": [
            ("value", _("Predicted value")),
            ("propensity", _("Propensity (30 days)")),
            ("alive", _("Still a customer")),
            ("purchases", _("Expected purchases")),
        ],
        "may_run": role_has_permission(request.tenant_role, "scores.recompute"),
        **_page(request, selectors.prediction_list(tenant=request.tenant, order=order)),
    }
    return render(request, "prediction/list.html", context)


@login_required
@tenant_permission_required("scores.recompute")
@require_POST
def run_request(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    services.prediction_run_request(tenant=request.tenant, requested_by=request.user)
    messages.success(
        request, _("Prediction queued: predictions, suggestions and the review update shortly.")
    )
    return redirect("prediction:list", tenant_slug=request.tenant.slug)


@login_required
@tenant_permission_required("relationships.review")
@require_GET
def review(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    rule = form.cleaned_data["rule"] if form.is_valid() else None
    context = {
        "form": form,
        "rule": rule or "",
        "decision_form": DecisionForm(),
        "decisions": selectors.decisions_recent(tenant=request.tenant),
        **_page(request, selectors.flag_list(tenant=request.tenant, rule=rule), REVIEW_PAGE_SIZE),
    }
    return render(request, "prediction/review.html", context)


@login_required
@tenant_permission_required("relationships.review")
@require_POST
def decide(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{customer}: {error}")
        return redirect("prediction:review", tenant_slug=request.tenant.slug)
    try:
        decision = relationship_decide(
            tenant=request.tenant,
            actor=request.user,
            customer=customer,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except services.PredictionError as exc:
        messages.error(request, f"{customer}: {exc}")
    else:
        if decision.action == DecisionAction.TERMINATE:
            messages.success(
                request,
                _("%(customer)s: relationship ended; the customer is now terminated.")
                % {"customer": customer},
            )
        else:
            messages.success(
                request,
                _("%(customer)s: decision recorded (%(action)s).")
                % {"customer": customer, "action": decision.get_action_display()},
            )
    return redirect("prediction:review", tenant_slug=request.tenant.slug)


@login_required
@tenant_permission_required("dashboard.view")
def backtest(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = BackTestForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        backtest_request(
            tenant=request.tenant,
            requested_by=request.user,
            cutoff=form.cleaned_data["cutoff"],
            holdout_days=form.cleaned_data["holdout_days"],
        )
        messages.success(request, _("Back-test queued; the results appear here shortly."))
        return redirect("prediction:backtest", tenant_slug=request.tenant.slug)
    result = selectors.backtest_latest(tenant=request.tenant)
    context = {
        "form": form,
        "result": result,
        "charts": (
            charts.backtest_charts(result, style_nonce=request.csp_nonce)
            if result is not None
            else None
        ),
    }
    return render(request, "prediction/backtest.html", context, status=400 if form.errors else 200)
