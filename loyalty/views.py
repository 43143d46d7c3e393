"""Loyalty screens: redeem a reward or apply a coupon from the customer page (each with a
confirmation), adjust points, the statement (and its CSV), the programme overview, the
scratch-card codes for printing, the programme's settings for admins. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope

from crm.tenancy.permissions import tenant_permission_required
from customers import exporting
from customers.models import Customer
from loyalty import selectors
from loyalty.forms import (
    AdjustForm,
    BonusRuleForm,
    ConfirmForm,
    CouponForm,
    ProgrammeForm,
    TierTermsForm,
)
from loyalty.models import BonusRule, Coupon, CouponBatch, Programme, Reward
from loyalty.services import LoyaltyError
from loyalty.services.coupons import coupon_check, coupon_redeem
from loyalty.services.ledger import member_enrol, member_for, member_leave, points_adjust
from loyalty.services.overview import overview_figures_request
from loyalty.services.programme import (
    PROGRAMME_FIELDS,
    bonus_rule_delete,
    bonus_rule_save,
    programme_settings_save,
)
from loyalty.services.rewards import reward_redeem


def _in_scope(tenant, rows: Iterable) -> Iterator:
    """A streaming response is consumed after the view (and the middleware's tenant scope)
    returned: read the rows inside the tenant's scope again, or row-level security shows none."""
    with scope(tenant=tenant):
        yield from rows


def _customer_url(request: HttpRequest, customer: Customer) -> str:
    return reverse(
        "customers:detail", kwargs={"tenant_slug": request.tenant.slug, "customer_id": customer.pk}
    )


@login_required
@tenant_permission_required("loyalty.redeem")
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, tenant_slug: str, customer_id: int, reward_id: int):
    customer = get_object_or_404(Customer, tenant=request.tenant, pk=customer_id)
    reward = get_object_or_404(Reward, tenant=request.tenant, pk=reward_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reward_redeem(
                tenant=request.tenant,
                actor=request.user,
                customer=customer,
                reward_id=reward.pk,
                request_key=form.cleaned_data["request_key"],
            )
        except LoyaltyError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(reward)s redeemed for %(points)d points.")
                % {"reward": reward, "points": reward.points_cost},
            )
        return redirect(_customer_url(request, customer))
    member = member_for(tenant=request.tenant, customer=customer)
    context = {"customer": customer, "reward": reward, "member": member, "form": form}
    return render(request, "loyalty/redeem_confirm.html", context)


@login_required
@tenant_permission_required("loyalty.redeem")
@require_http_methods(["GET", "POST"])
def coupon_apply(request: HttpRequest, tenant_slug: str, customer_id: int):
    """GET: check the code and show the discount; POST (confirmed): use it."""
    customer = get_object_or_404(Customer, tenant=request.tenant, pk=customer_id)
    form = CouponForm(request.POST if request.method == "POST" else request.GET or None)
    quote = None
    if form.is_bound and form.is_valid():
        code, spend = form.cleaned_data["code"], form.cleaned_data["spend"]
        try:
            if request.method == "POST":
                use = coupon_redeem(
                    tenant=request.tenant,
                    actor=request.user,
                    code=code,
                    customer=customer,
                    spend=spend,
                )
                messages.success(
                    request,
                    _("Coupon %(code)s used: %(discount)s discount.")
                    % {"code": use.coupon.code, "discount": use.discount},
                )
                return redirect(_customer_url(request, customer))
            quote = coupon_check(tenant=request.tenant, code=code, customer=customer, spend=spend)
        except LoyaltyError as error:
            form.add_error("code", str(error))
    return render(
        request,
        "loyalty/coupon_confirm.html",
        {"customer": customer, "form": form, "quote": quote},
    )


@login_required
@tenant_permission_required("loyalty.adjust")
@require_http_methods(["GET", "POST"])
def adjust(request: HttpRequest, tenant_slug: str, customer_id: int):
    customer = get_object_or_404(Customer, tenant=request.tenant, pk=customer_id)
    member = member_for(tenant=request.tenant, customer=customer)
    if member is None:
        raise Http404
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            points_adjust(
                tenant=request.tenant,
                actor=request.user,
                member=member,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                request_key=form.cleaned_data["request_key"],
            )
        except LoyaltyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The points were adjusted."))
            return redirect(_customer_url(request, customer))
    return render(
        request, "loyalty/adjust.html", {"customer": customer, "member": member, "form": form}
    )


@login_required
@tenant_permission_required("loyalty.view")
@require_GET
def statement(request: HttpRequest, tenant_slug: str, customer_id: int):
    customer = get_object_or_404(Customer, tenant=request.tenant, pk=customer_id)
    member = member_for(tenant=request.tenant, customer=customer)
    entries = selectors.member_statement(tenant=request.tenant, member=member) if member else []
    return render(
        request,
        "loyalty/statement.html",
        {"customer": customer, "member": member, "entries": entries},
    )


@login_required
@tenant_permission_required("loyalty.export")
@require_GET
def statement_csv(request: HttpRequest, tenant_slug: str, customer_id: int):
    customer = get_object_or_404(Customer, tenant=request.tenant, pk=customer_id)
    member = member_for(tenant=request.tenant, customer=customer)
    if member is None:
        raise Http404
    entries = selectors.member_statement(tenant=request.tenant, member=member)
    header = [
        _("Date"),
        _("Kind"),
        _("Source"),
        _("Reason"),
        _("Available points"),
        _("Pending points"),
        _("Available balance"),
        _("Pending balance"),
    ]
    rows = (
        [
            entry.created_at,
            entry.get_kind_display(),
            entry.get_source_display(),
            entry.reason,
            entry.available_delta,
            entry.pending_delta,
            entry.running_available,
            entry.running_pending,
        ]
        for entry in _in_scope(request.tenant, entries.iterator(chunk_size=2000))
    )
    style = exporting.CsvStyle(turkish_excel=True, zone=request.tenant.zone)
    lines = exporting.audited(
        exporting.csv_lines(header, rows, style),
        tenant=request.tenant,
        actor=request.user,
        action="loyalty.statement.exported",
        details={"customer": customer.pk},
    )
    return exporting.csv_download(lines, f"points-{customer.pk}.csv")


@login_required
@tenant_permission_required("loyalty.overview")
@require_GET
def overview(request: HttpRequest, tenant_slug: str):
    context = {
        "overview": selectors.programme_overview(tenant=request.tenant),
        "batches": selectors.coupon_batches(tenant=request.tenant),
    }
    return render(request, "loyalty/overview.html", context)


@login_required
@tenant_permission_required("loyalty.overview")
@require_POST
def overview_refresh(request: HttpRequest, tenant_slug: str):
    """Ask for the overview's figures to be computed again (a task: the whole ledger)."""
    overview_figures_request(tenant=request.tenant)
    messages.success(
        request, _("The figures are being computed again; reload the page in a moment.")
    )
    return redirect("loyalty:overview", tenant_slug=request.tenant.slug)


@login_required
@tenant_permission_required("loyalty.export")
@require_GET
def batch_codes_csv(request: HttpRequest, tenant_slug: str, batch_id: int):
    """The batch's codes for printing, with their uses (which were used)."""
    batch = get_object_or_404(CouponBatch, tenant=request.tenant, pk=batch_id)
    codes = (
        Coupon.objects.filter(tenant=request.tenant, batch=batch)
        .order_by("id")
        .values_list("code", "uses", "max_uses")
    )
    style = exporting.CsvStyle(turkish_excel=True, zone=request.tenant.zone)
    lines = exporting.audited(
        exporting.csv_lines(
            [_("Code"), _("Uses"), _("Uses allowed")],
            _in_scope(request.tenant, codes.iterator(chunk_size=5000)),
            style,
        ),
        tenant=request.tenant,
        actor=request.user,
        action="loyalty.coupons.exported",
        details={"batch": batch.pk},
    )
    return exporting.csv_download(lines, f"coupons-{batch.pk}.csv")


@login_required
@tenant_permission_required("loyalty.adjust")
@require_http_methods(["GET", "POST"])
def membership(request: HttpRequest, tenant_slug: str, customer_id: int):
    """Enrol a customer by hand, or let a member leave (the history stays): confirm, then do."""
    customer = get_object_or_404(Customer, tenant=request.tenant, pk=customer_id)
    member = member_for(tenant=request.tenant, customer=customer)
    leaving = member is not None and member.left_at is None
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if leaving:
                member_leave(tenant=request.tenant, actor=request.user, member=member)
                messages.success(request, _("The customer has left the loyalty programme."))
            else:
                member_enrol(tenant=request.tenant, actor=request.user, customer=customer)
                messages.success(request, _("The customer is a member of the loyalty programme."))
        except LoyaltyError as error:
            messages.error(request, str(error))
        return redirect(_customer_url(request, customer))
    context = {"customer": customer, "member": member, "leaving": leaving, "form": form}
    return render(request, "loyalty/membership_confirm.html", context)


def _settings_url(request: HttpRequest) -> str:
    return reverse("loyalty:settings", kwargs={"tenant_slug": request.tenant.slug})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def programme_settings(request: HttpRequest, tenant_slug: str):
    """The programme's terms and the tiers' multipliers (one form, one save), and the list
    of bonus rules; for tenant admins."""
    tenant = request.tenant
    programme = selectors.programme_for(tenant=tenant) or Programme(tenant=tenant)
    tiers, current = selectors.tier_terms(tenant=tenant)
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data, instance=programme, prefix="programme")
    tier_form = TierTermsForm(data, tiers=tiers, current=current, prefix="tiers")
    if request.method == "POST" and form.is_valid() and tier_form.is_valid():
        try:
            programme_settings_save(
                tenant=tenant,
                actor=request.user,
                terms={field: form.cleaned_data[field] for field in PROGRAMME_FIELDS},
                tiers=tier_form.terms(),
            )
        except LoyaltyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The programme's settings were saved; purchases from now on earn by them."),
            )
            return redirect(_settings_url(request))
    context = {
        "form": form,
        "tier_form": tier_form,
        "programme": programme if programme.pk else None,
        "bonus_rules": selectors.bonus_rules(tenant=tenant),
    }
    return render(request, "loyalty/settings.html", context)


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def bonus_rule_edit(request: HttpRequest, tenant_slug: str, rule_id: int | None = None):
    """Add a bonus rule, or change one."""
    rule = get_object_or_404(BonusRule, tenant=request.tenant, pk=rule_id) if rule_id else None
    form = BonusRuleForm(
        request.POST or None,
        instance=rule or BonusRule(tenant=request.tenant),
        tenant=request.tenant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = bonus_rule_save(
                tenant=request.tenant, actor=request.user, rule=rule, **form.values()
            )
        except LoyaltyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Bonus rule “%(name)s” saved.") % {"name": saved.name})
            return redirect(_settings_url(request))
    return render(request, "loyalty/bonus_rule_form.html", {"form": form, "rule": rule})


@login_required
@tenant_permission_required("settings.manage")
@require_http_methods(["GET", "POST"])
def bonus_rule_remove(request: HttpRequest, tenant_slug: str, rule_id: int):
    """Confirm, then remove a bonus rule (points already earned with it stay)."""
    rule = get_object_or_404(BonusRule, tenant=request.tenant, pk=rule_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = rule.name
        bonus_rule_delete(tenant=request.tenant, actor=request.user, rule=rule)
        messages.success(
            request,
            _("Bonus rule “%(name)s” removed; points already earned with it stay.")
            % {"name": name},
        )
        return redirect(_settings_url(request))
    return render(request, "loyalty/bonus_rule_delete.html", {"rule": rule, "form": form})
