"""The screens where tenant admins keep what the programme offers, beside its settings: the
rewards catalogue, the coupon batches (scratch cards: generate, export, see which were used)
and the cashback rules. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm.tenancy.permissions import tenant_permission_required
from loyalty import selectors
from loyalty.forms import (
    CashbackRuleForm,
    ConfirmForm,
    CouponBatchForm,
    CouponCodeFilterForm,
    RewardForm,
)
from loyalty.models import CashbackRule, CouponBatch, Reward
from loyalty.services import LoyaltyError
from loyalty.services.cashback import cashback_rule_remove, cashback_rule_save
from loyalty.services.coupons import coupon_batch_create
from loyalty.services.rewards import reward_deactivate, reward_save

BATCHES_PER_PAGE = 25
CODES_PER_PAGE = 100


def _page(request: HttpRequest, items, size: int):
    return Paginator(items, size).get_page(request.GET.get("page"))


# --- rewards --------------------------------------------------------------------------------


@login_required
@tenant_permission_required("settings.manage")
@require_GET
def rewards(request: HttpRequest, tenant_slug: str):
    catalogue = selectors.rewards_catalogue(tenant=request.tenant)
    return render(request, "loyalty/rewards.html", {"rewards": catalogue})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def reward_edit(request: HttpRequest, tenant_slug: str, reward_id: int | None = None):
    """Add a reward to the catalogue, or change one."""
    reward = get_object_or_404(Reward, tenant=request.tenant, pk=reward_id) if reward_id else None
    form = RewardForm(
        request.POST or None,
        instance=reward or Reward(tenant=request.tenant),
        tenant=request.tenant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = reward_save(
                tenant=request.tenant, actor=request.user, reward=reward, **form.values()
            )
        except LoyaltyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Reward “%(name)s” saved.") % {"name": saved.name})
            return redirect("loyalty:rewards", tenant_slug=request.tenant.slug)
    return render(request, "loyalty/reward_form.html", {"form": form, "reward": reward})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def reward_deactivate_confirm(request: HttpRequest, tenant_slug: str, reward_id: int):
    """Confirm, then take a reward off the offer (its redemptions stay)."""
    reward = get_object_or_404(Reward, tenant=request.tenant, pk=reward_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reward_deactivate(tenant=request.tenant, actor=request.user, reward=reward)
        except LoyaltyError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Reward “%(name)s” is no longer on offer; its redemptions stay.")
                % {"name": reward.name},
            )
        return redirect("loyalty:rewards", tenant_slug=request.tenant.slug)
    return render(request, "loyalty/reward_deactivate.html", {"reward": reward, "form": form})


# --- coupon batches -------------------------------------------------------------------------


@login_required
@tenant_permission_required("settings.manage")
@require_GET
def coupon_batches(request: HttpRequest, tenant_slug: str):
    batches = _page(request, selectors.coupon_batch_list(tenant=request.tenant), BATCHES_PER_PAGE)
    return render(request, "loyalty/coupon_batches.html", {"batches": batches})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def coupon_batch_new(request: HttpRequest, tenant_slug: str):
    """Generate a batch of scratch-card codes."""
    form = CouponBatchForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            batch = coupon_batch_create(
                tenant=request.tenant, actor=request.user, **form.cleaned_data
            )
        except LoyaltyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Batch “%(name)s” made with %(codes)s codes.")
                % {"name": batch.name, "codes": batch.size},
            )
            return redirect(
                "loyalty:coupon_batch", tenant_slug=request.tenant.slug, batch_id=batch.pk
            )
    return render(request, "loyalty/coupon_batch_form.html", {"form": form})


@login_required
@tenant_permission_required("settings.manage")
@require_GET
def coupon_batch(request: HttpRequest, tenant_slug: str, batch_id: int):
    """A batch's terms, how many of its codes were used, and its codes, filtered."""
    batch = get_object_or_404(
        CouponBatch.objects.select_related("segment"), tenant=request.tenant, pk=batch_id
    )
    filters = CouponCodeFilterForm(request.GET)
    codes = selectors.coupon_batch_codes(
        tenant=request.tenant, batch=batch, used=filters.used_value(), code=filters.code_value()
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "batch": batch,
        "usage": selectors.coupon_batch_usage(tenant=request.tenant, batch=batch),
        "filters": filters,
        "codes": _page(request, codes, CODES_PER_PAGE),
        "query_string": query.urlencode(),
    }
    return render(request, "loyalty/coupon_batch.html", context)


# --- cashback rules -------------------------------------------------------------------------


@login_required
@tenant_permission_required("settings.manage")
@require_GET
def cashback_rules(request: HttpRequest, tenant_slug: str):
    rules = selectors.cashback_rules(tenant=request.tenant)
    return render(request, "loyalty/cashback_rules.html", {"rules": rules})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def cashback_rule_edit(request: HttpRequest, tenant_slug: str, rule_id: int | None = None):
    """Add a cashback rule, or change one."""
    rule = get_object_or_404(CashbackRule, tenant=request.tenant, pk=rule_id) if rule_id else None
    form = CashbackRuleForm(
        request.POST or None,
        instance=rule or CashbackRule(tenant=request.tenant),
        tenant=request.tenant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = cashback_rule_save(
                tenant=request.tenant, actor=request.user, rule=rule, **form.values()
            )
        except LoyaltyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Cashback rule “%(name)s” saved.") % {"name": saved.name})
            return redirect("loyalty:cashback_rules", tenant_slug=request.tenant.slug)
    return render(request, "loyalty/cashback_rule_form.html", {"form": form, "rule": rule})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def cashback_rule_remove_confirm(request: HttpRequest, tenant_slug: str, rule_id: int):
    """Confirm, then remove a cashback rule (one that awarded anything is switched off)."""
    rule = get_object_or_404(CashbackRule, tenant=request.tenant, pk=rule_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if cashback_rule_remove(tenant=request.tenant, actor=request.user, rule=rule):
            message = _("Cashback rule “%(name)s” removed.")
        else:
            message = _(
                "Cashback rule “%(name)s” has awards, which stay as history: it was switched "
                "off instead of removed."
            )
        messages.success(request, message % {"name": rule.name})
        return redirect("loyalty:cashback_rules", tenant_slug=request.tenant.slug)
    return render(request, "loyalty/cashback_rule_remove.html", {"rule": rule, "form": form})
