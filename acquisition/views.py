"""Staff screens: the lead board and list, a new lead, a lead's page and status, acquisition
costs and the acquisition report. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from acquisition import charts, selectors, services
from acquisition.forms import (
    AcquisitionCostForm,
    BoardPageForm,
    LeadCreateForm,
    LeadForm,
    LeadImportForm,
    LeadStatusForm,
    ReportPeriodForm,
)
from acquisition.public import lead_form_url
from acquisition.services.costs import CostError
from crm.tenancy.permissions import role_has_permission, tenant_permission_required
from customers.importing.decoding import ImportFileError
from customers.selectors import customer_detail, duplicate_candidates, tenant_members

PAGE_SIZE = 25


def _url(name: str, request: HttpRequest, **kwargs) -> str:
    return reverse(f"acquisition:{name}", kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _board_mine(request: HttpRequest) -> bool:
    return request.GET.get("mine") == "1" or request.POST.get("mine") == "1"


def _board_context(request: HttpRequest) -> dict:
    mine = _board_mine(request)
    return {
        "columns": selectors.lead_board(
            tenant=request.tenant, owner=request.user if mine else None
        ),
        "mine": mine,
        "board_url": _url("board", request),
    }


@login_required
@tenant_permission_required("leads.view")
@require_GET
def board(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The board; with htmx, the board alone, or with ?column=&offset= the next cards of one
    column ("show more")."""
    page = BoardPageForm(request.GET)
    if request.htmx and page.is_valid():
        mine = _board_mine(request)
        column = selectors.lead_board_column(
            tenant=request.tenant,
            status=page.cleaned_data["column"],
            offset=page.cleaned_data["offset"],
            owner=request.user if mine else None,
        )
        context = {"column": column, "mine": mine, "board_url": _url("board", request)}
        return render(request, "acquisition/_board_cards.html", context)
    context = _board_context(request)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "acquisition/_board.html", context)
    context["lead_form_url"] = request.build_absolute_uri(lead_form_url(request.tenant))
    return render(request, "acquisition/board.html", context)


@login_required
@tenant_permission_required("leads.view")
@require_GET
def lead_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    filterset, page = selectors.lead_list_page(
        tenant=request.tenant, params=request.GET, page_size=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filterset": filterset, "page": page, "query_string": query.urlencode()}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "acquisition/_list_results.html", context)
    return render(request, "acquisition/list.html", context)


@login_required
@tenant_permission_required("leads.edit")
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """A new lead. Someone already known by email, phone or tax number is shown first; saving
    them again needs the "save anyway" box."""
    members = tenant_members(tenant=request.tenant)
    campaigns = selectors.acquisition_campaigns(tenant=request.tenant)
    data = request.POST or None
    duplicates = []
    form = LeadCreateForm(data, members=members, campaigns=campaigns)
    if data is not None and form.is_valid():
        duplicates = duplicate_candidates(
            tenant=request.tenant,
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            tax_number=form.cleaned_data["tax_number"],
        )
        if duplicates and not request.POST.get("save_duplicate"):
            form = LeadCreateForm(
                data, members=members, campaigns=campaigns, show_duplicate_choice=True
            )
            form.is_valid()
        else:
            try:
                lead = services.lead_create(
                    tenant=request.tenant,
                    actor=request.user,
                    customer_fields=form.customer_fields(),
                    **form.lead_fields(),
                )
            except services.AcquisitionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Lead %(name)s added.") % {"name": lead})
                return redirect(_url("detail", request, lead_id=lead.pk))
    return render(request, "acquisition/lead_form.html", {"form": form, "duplicates": duplicates})


@login_required
@tenant_permission_required("customers.import")
@require_http_methods(["GET", "POST"])
def lead_import(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """A CSV of leads: new people become leads, the known ones are listed, not doubled."""
    form = LeadImportForm(
        request.POST or None,
        request.FILES or None,
        campaigns=selectors.acquisition_campaigns(tenant=request.tenant),
    )
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.leads_import(
                tenant=request.tenant,
                actor=request.user,
                raw=form.cleaned_data["file"],
                campaign=form.cleaned_data["campaign"],
                source_detail=form.cleaned_data["source_detail"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
    return render(request, "acquisition/import.html", {"form": form, "result": result})


@login_required
@tenant_permission_required("leads.view")
@require_http_methods(["GET", "POST"])
def lead_detail(request: HttpRequest, tenant_slug: str, lead_id: int) -> HttpResponse:
    lead = selectors.lead_detail(tenant=request.tenant, lead_id=lead_id)
    members = tenant_members(tenant=request.tenant)
    may_edit = role_has_permission(request.tenant_role, "leads.edit")
    form = LeadForm(
        request.POST or None,
        instance=lead,
        members=members,
        campaigns=selectors.acquisition_campaigns(tenant=request.tenant),
    )
    if request.method == "POST":
        if not may_edit:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                services.lead_update(
                    tenant=request.tenant, actor=request.user, lead=lead, **form.service_fields()
                )
            except services.AcquisitionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Changes to the lead saved."))
                return redirect(_url("detail", request, lead_id=lead.pk))
    context = {
        "lead": lead,
        "form": form,
        "may_edit": may_edit,
        "status_form": LeadStatusForm(),
        "history": selectors.lead_history(tenant=request.tenant, lead=lead),
    }
    return render(request, "acquisition/lead_detail.html", context)


@login_required
@tenant_permission_required("leads.edit")
@require_POST
def lead_status(request: HttpRequest, tenant_slug: str, lead_id: int) -> HttpResponse:
    """Move a lead (board quick action or the lead's page). From the board (htmx) the answer
    is the board again, with the outcome as a message in it."""
    lead = selectors.lead_detail(tenant=request.tenant, lead_id=lead_id)
    form = LeadStatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            lead = services.lead_status_change(
                tenant=request.tenant,
                actor=request.user,
                lead=lead,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except services.AcquisitionError as exc:
            error = str(exc)
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    notice = (
        _("%(name)s is now %(status)s.") % {"name": lead, "status": lead.get_status_display()}
        if not error
        else ""
    )
    if request.htmx:
        context = {**_board_context(request), "error": error, "notice": notice}
        return render(request, "acquisition/_board.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(_url("detail", request, lead_id=lead.pk))


@login_required
@tenant_permission_required("customers.edit")
@require_POST
def preference_link_send(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    """Email the customer the link to their own preference page (they asked for it)."""
    customer = customer_detail(tenant=request.tenant, customer_id=customer_id)
    try:
        email = services.preference_link_send(
            tenant=request.tenant, actor=request.user, customer=customer
        )
    except services.PreferenceLinkNotSent as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The link to their preference page was emailed to %(email)s.") % {"email": email},
        )
    return redirect("customers:detail", tenant_slug=request.tenant.slug, customer_id=customer.pk)


# --- costs and the report ----------------------------------------------------------------------


def _default_period(today: date) -> tuple[date, date]:
    """The last twelve months, this one included."""
    end = today.replace(day=1)
    year, month = divmod(end.year * 12 + end.month - 1 - 11, 12)
    return date(year, month + 1, 1), end


@login_required
@tenant_permission_required("reports.view")
@require_GET
def report(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    start, end = _default_period(timezone.localdate(timezone=request.tenant.zone))
    form = ReportPeriodForm(request.GET or {"start": start, "end": end})
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    result = selectors.acquisition_report(tenant=request.tenant, start=start, end=end)
    context = {
        "form": form,
        "report": result,
        "chart": charts.cost_per_won_chart(result.lines),
        "horizons": selectors.HORIZONS,
        "may_enter_costs": role_has_permission(request.tenant_role, "acquisition.costs"),
    }
    return render(request, "acquisition/report.html", context)


@login_required
@tenant_permission_required("acquisition.costs")
@require_http_methods(["GET", "POST"])
def costs(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = AcquisitionCostForm(
        request.POST or None, campaigns=selectors.acquisition_campaigns(tenant=request.tenant)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.acquisition_cost_set(
                tenant=request.tenant, actor=request.user, **form.service_fields()
            )
        except CostError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The cost is saved."))
            return redirect(_url("costs", request))
    start, end = _default_period(timezone.localdate(timezone=request.tenant.zone))
    context = {
        "form": form,
        "costs": selectors.acquisition_costs(
            tenant=request.tenant, start=date(start.year - 1, start.month, 1), end=end
        ),
    }
    return render(request, "acquisition/costs.html", context)


@login_required
@tenant_permission_required("acquisition.costs")
@require_http_methods(["GET", "POST"])
def cost_delete(request: HttpRequest, tenant_slug: str, cost_id: int) -> HttpResponse:
    cost = selectors.cost_detail(tenant=request.tenant, cost_id=cost_id)
    if request.method == "POST":
        services.acquisition_cost_delete(tenant=request.tenant, actor=request.user, cost=cost)
        messages.success(request, _("The cost of %(what)s is deleted.") % {"what": cost})
        return redirect(_url("costs", request))
    return render(request, "acquisition/cost_delete.html", {"cost": cost})
