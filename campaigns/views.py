"""Campaign screens: the comparison list, create/edit, a campaign's page with its results, the
status actions (each a confirmation page and a POST), exports, the call list, the contact rules
and the do-not-contact entry. Thin: parse, call one service or selector, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import selectors, services
from campaigns.forms import CallLogForm, CampaignForm, ContactRulesForm, SuppressionForm
from campaigns.models import CampaignStatus, ExclusionReason, Recipient, RecipientStatus
from campaigns.results import campaign_breakdown, campaign_results
from crm.tenancy.permissions import tenant_permission_required
from customers import exporting
from customers.models import Customer


def _detail(request: HttpRequest, campaign) -> HttpResponse:
    return redirect("campaigns:detail", tenant_slug=request.tenant.slug, campaign_id=campaign.pk)


@login_required
@tenant_permission_required("campaigns.manage")
@require_GET
def campaign_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    campaigns = list(selectors.campaign_list(tenant=request.tenant)[:50])
    results = campaign_results(tenant=request.tenant, campaign_ids=[c.pk for c in campaigns])
    rows = [{"campaign": c, "result": results[c.pk]} for c in campaigns]
    return render(request, "campaigns/list.html", {"rows": rows})


def _form_page(request: HttpRequest, form: CampaignForm, campaign=None) -> HttpResponse:
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign})


@login_required
@tenant_permission_required("campaigns.manage")
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = CampaignForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                tenant=request.tenant, actor=request.user, **form.service_fields()
            )
        except services.CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The campaign is saved as a draft."))
            return _detail(request, campaign)
    return _form_page(request, form)


@login_required
@tenant_permission_required("campaigns.manage")
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, tenant_slug: str, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_detail(tenant=request.tenant, campaign_id=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        messages.error(request, _("Only a draft campaign can be changed."))
        return _detail(request, campaign)
    form = CampaignForm(request.POST or None, instance=campaign, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                tenant=request.tenant,
                actor=request.user,
                campaign=campaign,
                **form.service_fields(),
            )
        except services.CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The campaign is saved."))
            return _detail(request, campaign)
    return _form_page(request, form, campaign)


BREAKDOWN_LABELS = {
    "tier": gettext_lazy("Per tier"),
    "segment": gettext_lazy("Per segment"),
    "stage": gettext_lazy("Per lifecycle stage"),
}


@login_required
@tenant_permission_required("campaigns.manage")
@require_GET
def campaign_detail(request: HttpRequest, tenant_slug: str, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_detail(tenant=request.tenant, campaign_id=campaign_id)
    result = campaign_results(tenant=request.tenant, campaign_ids=[campaign.pk])[campaign.pk]
    breakdown = request.GET.get("by", "tier")
    if breakdown not in BREAKDOWN_LABELS:
        breakdown = "tier"
    breakdown_rows = campaign_breakdown(
        tenant=request.tenant, campaign_id=campaign.pk, by=breakdown
    )
    queue = selectors.campaign_queue_counts(tenant=request.tenant, campaign=campaign)
    audience = campaign.start_summary or {}
    if campaign.is_triggered and campaign.started_at:
        audience = selectors.triggered_audience_counts(tenant=request.tenant, campaign=campaign)
    excluded = audience.get("excluded", {})
    context = {
        "campaign": campaign,
        "audience": audience,
        "result": result,
        "queue_rows": [(RecipientStatus(status).label, n) for status, n in sorted(queue.items())],
        "excluded_rows": [(ExclusionReason(reason).label, n) for reason, n in excluded.items()],
        "breakdown": breakdown,
        "breakdown_label": BREAKDOWN_LABELS[breakdown],
        "breakdown_labels": BREAKDOWN_LABELS,
        "breakdown_rows": breakdown_rows,
    }
    return render(request, "campaigns/detail.html", context)


# action name -> (service, allowed from, confirmation text, done message)
ACTIONS = {
    "schedule": (
        services.campaign_schedule,
        gettext_lazy(
            "Schedule the campaign? At its start time the audience is frozen: the rules "
            "(consent, frequency cap, do-not-contact, budget) are applied and the control group "
            "is drawn. It can no longer be edited."
        ),
        gettext_lazy("The campaign is scheduled."),
    ),
    "unschedule": (
        services.campaign_unschedule,
        gettext_lazy("Move the campaign back to draft? It will not start until scheduled again."),
        gettext_lazy("The campaign is a draft again."),
    ),
    "finish": (
        services.campaign_finish,
        gettext_lazy("Finish the campaign? Messages not sent yet are not sent; the results stay."),
        gettext_lazy("The campaign is finished."),
    ),
    "cancel": (
        services.campaign_cancel,
        gettext_lazy(
            "Cancel the campaign? Nothing more is sent; what was sent stays recorded. This "
            "cannot be undone."
        ),
        gettext_lazy("The campaign is cancelled."),
    ),
}


@login_required
@tenant_permission_required("campaigns.manage")
@require_http_methods(["GET", "POST"])
def campaign_action(
    request: HttpRequest, tenant_slug: str, campaign_id: int, action: str
) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    service, question, done = ACTIONS[action]
    campaign = selectors.campaign_detail(tenant=request.tenant, campaign_id=campaign_id)
    if request.method == "GET":
        return render(
            request,
            "campaigns/confirm.html",
            {"campaign": campaign, "question": question, "action": action},
        )
    try:
        outcome = service(tenant=request.tenant, actor=request.user, campaign=campaign)
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        if isinstance(outcome, tuple) and outcome[1]:
            messages.success(
                request,
                _("%(done)s %(count)s queued messages were dropped.")
                % {"done": done, "count": outcome[1]},
            )
        else:
            messages.success(request, done)
    return _detail(request, campaign)


def _turkish_excel(request: HttpRequest) -> bool:
    return request.POST.get("format", "turkish" if get_language() == "tr" else "") == "turkish"


def _audited(request: HttpRequest, lines, action: str, campaign):
    """Personal data leaving the system: who downloaded which file, how many rows (audited
    when the download ends, like the customer export)."""
    return exporting.audited(
        lines,
        tenant=request.tenant,
        actor=request.user,
        action=action,
        details={"campaign": campaign.pk},
    )


@login_required
@tenant_permission_required("campaigns.manage")
@require_POST
def mail_export(request: HttpRequest, tenant_slug: str, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_detail(tenant=request.tenant, campaign_id=campaign_id)
    services.mail_export_claim(tenant=request.tenant, actor=request.user, campaign=campaign)
    lines = selectors.mail_export_lines(
        tenant=request.tenant, campaign=campaign, turkish_excel=_turkish_excel(request)
    )
    return exporting.csv_download(
        _audited(request, lines, "campaigns.letters.downloaded", campaign),
        f"campaign-{campaign.pk}-letters.csv",
    )


@login_required
@tenant_permission_required("campaigns.manage")
@require_POST
def sms_outbox_export(request: HttpRequest, tenant_slug: str, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_detail(tenant=request.tenant, campaign_id=campaign_id)
    services.sms_outbox_export_mark(tenant=request.tenant, actor=request.user, campaign=campaign)
    lines = selectors.sms_outbox_lines(
        tenant=request.tenant, campaign=campaign, turkish_excel=_turkish_excel(request)
    )
    return exporting.csv_download(
        _audited(request, lines, "campaigns.sms_outbox.downloaded", campaign),
        f"campaign-{campaign.pk}-sms.csv",
    )


@login_required
@tenant_permission_required("campaigns.call")
@require_GET
def call_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    page = selectors.call_list_page(tenant=request.tenant, page=request.GET.get("page"))
    return render(request, "campaigns/calls.html", {"page": page, "form": CallLogForm()})


@login_required
@tenant_permission_required("campaigns.call")
@require_POST
def call_log(request: HttpRequest, tenant_slug: str, recipient_id: int) -> HttpResponse:
    get_object_or_404(Recipient, pk=recipient_id, tenant=request.tenant)
    form = CallLogForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the call's outcome."))
        return redirect("campaigns:calls", tenant_slug=request.tenant.slug)
    try:
        recipient = services.call_log(
            tenant=request.tenant,
            actor=request.user,
            recipient_id=recipient_id,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
        )
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The call with %(name)s is logged on their timeline.")
            % {"name": recipient.customer.display_name},
        )
    return redirect("campaigns:calls", tenant_slug=request.tenant.slug)


@login_required
@tenant_permission_required("campaigns.manage")
@require_http_methods(["GET", "POST"])
def contact_rules(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    rules = services.contact_rules_for(tenant=request.tenant)
    form = ContactRulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_rules_update(
                tenant=request.tenant, actor=request.user, **form.cleaned_data
            )
        except services.CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The contact rules are saved."))
            return redirect("campaigns:rules", tenant_slug=request.tenant.slug)
    return render(request, "campaigns/rules.html", {"form": form})


def _customer_page(request: HttpRequest, customer: Customer) -> HttpResponse:
    return redirect("customers:detail", tenant_slug=request.tenant.slug, customer_id=customer.pk)


@login_required
@tenant_permission_required("customers.edit")
@require_POST
def suppression_add(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id, tenant=request.tenant)
    form = SuppressionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the customer must not be contacted."))
        return _customer_page(request, customer)
    try:
        services.suppression_add(
            tenant=request.tenant,
            actor=request.user,
            customer=customer,
            reason=form.cleaned_data["reason"],
        )
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The customer gets no campaign messages any more."))
    return _customer_page(request, customer)


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def suppression_remove(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id, tenant=request.tenant)
    if request.method == "GET":
        return render(request, "campaigns/suppression_remove.html", {"customer": customer})
    try:
        services.suppression_remove(tenant=request.tenant, actor=request.user, customer=customer)
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The customer may get campaign messages again."))
    return _customer_page(request, customer)
