"""The sales staff's screens: the customer list, the customer page (360 view) with its quick
actions, create/edit, archive/restore, and the feedback list. Thin: parse, call, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.decimals import format_money
from crm.tenancy.permissions import (
    member_has_permission,
    role_has_permission,
    tenant_permission_required,
)
from customers import list_actions, selectors, services
from customers.filters import DEFAULT_SORT
from customers.forms import (
    ConsentForm,
    CustomerForm,
    FeedbackForm,
    FeedbackResolveForm,
    FeedbackUpdateForm,
    InteractionForm,
    TransactionForm,
)
from customers.list_extensions import list_bulk_actions
from customers.list_forms import BulkActionForm, SavedViewForm
from customers.panels import customer_panels_for
from customers.regions import PROVINCES
from customers.search import customer_search_query

PAGE_SIZE = 25


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx swap of the results; a history restore (back button) needs the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def _query_without_page(request: HttpRequest) -> QueryDict:
    """The list's filters as given, for the pager's links to add their page to."""
    query = _query_without_empty(request)
    query.pop("page", None)
    return query


def _query_without_empty(request: HttpRequest) -> QueryDict:
    """The query without empty parameters ("?q=&owner=&sort=name" is "?sort=name"): the URL a
    user copies and shares says only what was chosen."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            query.setlist(key, kept)
    if query.get("sort") == DEFAULT_SORT and request.resolver_match.url_name == "list":
        query.pop("sort")  # the form always sends the sort; the default needs no parameter
    return query


def _clean_url(request: HttpRequest) -> str | None:
    """The same page without empty parameters, or None when the URL is already clean."""
    query = _query_without_empty(request)
    if dict(query.lists()) == dict(request.GET.lists()):
        return None
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _url(name: str, request: HttpRequest, **kwargs) -> str:
    return reverse(f"customers:{name}", kwargs={"tenant_slug": request.tenant.slug, **kwargs})


# --- list ---------------------------------------------------------------------------------------


@login_required
@tenant_permission_required("customers.view")
@require_GET
def customer_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    clean_url = _clean_url(request)
    if clean_url is not None and not request.htmx:
        return redirect(clean_url)  # a submitted filter form (no JavaScript) leaves empty fields
    role = request.tenant_role
    params = _query_without_empty(request)
    filterset, page = selectors.customer_list_page(
        tenant=request.tenant, params=params, page_size=PAGE_SIZE, role=role
    )
    columns, rows = selectors.customer_list_rows(
        tenant=request.tenant, customers=page.object_list, role=role
    )
    query = _query_without_page(request)
    without_sort = query.copy()
    without_sort.pop("sort", None)
    context = {
        "filterset": filterset,
        "page": page,
        "columns": columns,
        "rows": rows,
        "count": selectors.customer_count(filterset=filterset, page=page),
        "query_string": query.urlencode(),
        "sort_key": filterset.sort_key,
        "saved_views": list_actions.saved_views_of(tenant=request.tenant, user=request.user),
        "bulk_actions": BulkActionForm.base_fields["action"].choices,
        "registered_bulk_actions": [
            (action, action.choices(tenant=request.tenant))
            for action in list_bulk_actions(role=role)
        ]
        if role_has_permission(role, "customers.edit")
        else [],
        "members": filterset.members,
        "list_url": request.get_full_path() if clean_url is None else clean_url,
        "sort_query_string": without_sort.urlencode(),
        "filtered": any(value for key, value in query.items() if key != "sort"),
        "provinces": PROVINCES,
    }
    if _wants_partial(request):
        response = render(request, "customers/_list_results.html", context)
        if clean_url is not None:
            response["HX-Push-Url"] = clean_url  # htmx pushes this instead of the raw URL
        return response
    return render(request, "customers/list.html", context)


def _back_to_list(request: HttpRequest) -> str:
    """The list page the action came from (its filters kept), never another site's URL."""
    list_url = _url("list", request)
    back = request.POST.get("next", "")
    if back.startswith(list_url) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return back
    return list_url


@login_required
@tenant_permission_required("customers.edit")
@require_POST
def customer_bulk_action(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """Assign an owner to, tag, or apply a registered action (list_extensions: add to a
    segment, ...) to the customers ticked on the list; say how many changed."""
    form = BulkActionForm(
        request.POST,
        members=selectors.tenant_members(tenant=request.tenant),
        tenant=request.tenant,
        registered=list_bulk_actions(role=request.tenant_role),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(_back_to_list(request))
    data = form.cleaned_data
    try:
        if data["action"] in form.registered:
            action = form.registered[data["action"]]
            changed = list_actions.customers_apply_registered(
                tenant=request.tenant,
                actor=request.user,
                customer_ids=data["customers"],
                apply=action.apply,
                value=data[action.key],
            )
            message = action.message(changed)
        elif data["action"] == BulkActionForm.OWNER:
            changed = list_actions.customers_assign_owner(
                tenant=request.tenant,
                actor=request.user,
                customer_ids=data["customers"],
                owner=data["owner"],
            )
            message = ngettext(
                "Owner changed for %(count)s customer.",
                "Owner changed for %(count)s customers.",
                changed,
            ) % {"count": changed}
        else:
            changed = list_actions.customers_add_tag(
                tenant=request.tenant,
                actor=request.user,
                customer_ids=data["customers"],
                tag=data["tag"],
            )
            message = ngettext(
                "Tag added to %(count)s customer.", "Tag added to %(count)s customers.", changed
            ) % {"count": changed}
    except list_actions.ListActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect(_back_to_list(request))


@login_required
@tenant_permission_required("customers.view")
@require_POST
def saved_view_create(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return redirect(_back_to_list(request))
    try:
        view = list_actions.saved_view_create(
            tenant=request.tenant,
            actor=request.user,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
        )
    except list_actions.ListActionError as exc:
        messages.error(request, str(exc))
        return redirect(_back_to_list(request))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(
        f"{_url('list', request)}?{view.query}" if view.query else _url("list", request)
    )


@login_required
@tenant_permission_required("customers.view")
@require_http_methods(["GET", "POST"])
def saved_view_delete(request: HttpRequest, tenant_slug: str, view_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the user's own view and says so."""
    view = selectors.saved_view_detail(tenant=request.tenant, user=request.user, view_id=view_id)
    if request.method == "POST":
        list_actions.saved_view_delete(tenant=request.tenant, actor=request.user, view=view)
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
        return redirect(_url("list", request))
    return render(request, "customers/saved_view_delete.html", {"view": view})


@login_required
@tenant_permission_required("customers.view")
@require_GET
def customer_picker(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """<option>s of customers matching a search, for the referred-by picker."""
    customers = []
    if customer_search_query(request.GET.get("q", "")) is not None:
        _filters, page = selectors.customer_list_page(
            tenant=request.tenant, params={"q": request.GET["q"], "archived": "all"}, page_size=20
        )
        customers = page.object_list
    return render(request, "customers/_picker_options.html", {"customers": customers})


@login_required
@tenant_permission_required("customers.view")
@require_GET
def customer_duplicate_check(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    exclude = request.GET.get("exclude")
    duplicates = selectors.duplicate_candidates(
        tenant=request.tenant,
        email=request.GET.get("email", ""),
        phone=request.GET.get("phone", ""),
        tax_number=request.GET.get("tax_number", ""),
        exclude_id=int(exclude) if exclude and exclude.isdigit() else None,
    )
    return render(request, "customers/_duplicate_warning.html", {"duplicates": duplicates})


# --- create / edit ------------------------------------------------------------------------------


def _customer_form(request: HttpRequest, *, instance=None, data=None) -> CustomerForm:
    check_url = _url("duplicate_check", request)
    if instance is not None:
        check_url += f"?exclude={instance.pk}"  # editing: the customer is not their own double
    return CustomerForm(
        data,
        instance=instance,
        tenant=request.tenant,
        members=selectors.tenant_members(tenant=request.tenant),
        picker_url=_url("picker", request),
        duplicate_check_url=check_url,
    )


def _warn_about_duplicates(request: HttpRequest, customer) -> None:
    duplicates = selectors.duplicate_candidates(
        tenant=request.tenant,
        email=customer.email,
        phone=customer.phone,
        tax_number=customer.tax_number,
        exclude_id=customer.pk,
    )
    for duplicate in duplicates:
        messages.warning(
            request,
            _("The %(field)s %(value)s also belongs to %(name)s.")
            % {
                "field": duplicate.label,
                "value": getattr(customer, duplicate.field),
                "name": duplicate.customer.display_name,
            },
        )


def _customer_form_page(
    request: HttpRequest, *, customer, service: Callable[..., Any], success: str
) -> HttpResponse:
    """The create/edit form: POST calls `service` with the form's fields and goes to the page."""
    form = _customer_form(request, instance=customer, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = service(tenant=request.tenant, actor=request.user, **form.service_fields())
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success % {"name": saved})
            _warn_about_duplicates(request, saved)
            return redirect(_url("detail", request, customer_id=saved.pk))
    return render(
        request,
        "customers/form.html",
        {"form": form, "provinces": PROVINCES, "customer": customer},
    )


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    return _customer_form_page(
        request,
        customer=None,
        service=services.customer_create,
        success=_("Customer %(name)s added."),
    )


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    customer = selectors.customer_detail(tenant=request.tenant, customer_id=customer_id)
    return _customer_form_page(
        request,
        customer=customer,
        service=partial(services.customer_update, customer=customer),
        success=_("Changes to %(name)s saved."),
    )


# --- archive / restore -------------------------------------------------------------------------


def _archive_or_restore(
    request: HttpRequest, *, customer_id: int, service: Callable[..., Any], verb: str, success: str
) -> HttpResponse:
    """GET asks for confirmation (customers/<verb>.html); POST calls `service` and goes back."""
    customer = selectors.customer_detail(tenant=request.tenant, customer_id=customer_id)
    if request.method == "POST":
        try:
            service(tenant=request.tenant, actor=request.user, customer=customer)
        except services.CustomerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success % {"name": customer})
        return redirect(_url("detail", request, customer_id=customer.pk))
    return render(request, f"customers/{verb}.html", {"customer": customer})


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_archive(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    return _archive_or_restore(
        request,
        customer_id=customer_id,
        service=services.customer_archive,
        verb="archive",
        success=_("%(name)s is archived."),
    )


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_restore(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    return _archive_or_restore(
        request,
        customer_id=customer_id,
        service=services.customer_restore,
        verb="restore",
        success=_("%(name)s is restored."),
    )


# --- the customer page -------------------------------------------------------------------------


def _first_quick_form(request: HttpRequest) -> dict:
    """The open tab's form (log a contact); the other tabs' forms load when opened (GET on their
    action's URL), so each customer page does not render four forms for one."""
    if not member_has_permission(
        tenant=request.tenant, role=request.tenant_role, permission="customers.edit"
    ):
        return {}
    members = selectors.tenant_members(tenant=request.tenant)
    return {"contact_form": InteractionForm(prefix="contact", members=members)}


def _customer_state(request: HttpRequest, customer) -> dict:
    """The parts of the page a quick action changes: timeline, totals, consent."""
    return {
        "customer": customer,
        "timeline": selectors.customer_timeline(tenant=request.tenant, customer=customer),
        "totals": selectors.customer_totals(tenant=request.tenant, customer=customer),
        "consents": selectors.customer_consents(tenant=request.tenant, customer=customer),
    }


@login_required
@tenant_permission_required("customers.view")
@require_GET
def customer_detail(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    customer = selectors.customer_detail(tenant=request.tenant, customer_id=customer_id)
    context = {
        **_customer_state(request, customer),
        **_first_quick_form(request),
        "referrals": selectors.customer_referrals(tenant=request.tenant, customer=customer),
        "panels": _rendered_panels(request, customer),
    }
    return render(request, "customers/detail.html", context)


def _rendered_panels(request: HttpRequest, customer) -> dict[str, list[dict]]:
    """Other apps' panels, rendered with their context both flat and as `panel`, plus
    `customer`, so a panel template may write {{ score }} or {{ panel.score }}."""
    columns = customer_panels_for(
        request=request, tenant=request.tenant, customer=customer, role=request.tenant_role
    )
    for panels in columns.values():
        for panel in panels:
            context = {"customer": customer, **panel["context"], "panel": panel["context"]}
            panel["html"] = render_to_string(panel["template_name"], context, request=request)
    return columns


@login_required
@tenant_permission_required("customers.view")
@require_GET
def customer_timeline(request: HttpRequest, tenant_slug: str, customer_id: int) -> HttpResponse:
    """More of the timeline ("show older"), as an htmx partial."""
    customer = selectors.customer_detail(tenant=request.tenant, customer_id=customer_id)
    before: datetime | None = parse_datetime(request.GET.get("before", ""))
    timeline = selectors.customer_timeline(tenant=request.tenant, customer=customer, before=before)
    return render(
        request, "customers/_timeline_entries.html", {"customer": customer, "timeline": timeline}
    )


def _quick_action(
    request: HttpRequest,
    *,
    customer_id: int,
    form_class,
    form_kwargs: dict,
    prefix: str,
    service: Callable[..., Any],
    success: str | Callable[[Any], str],
) -> HttpResponse:
    """Bind the quick-action form, call `service` with its cleaned data, answer with the fresh
    form (customers/quick/_<prefix>.html) and, on success, the timeline, totals and consent
    swapped in out of band. `success` may be a function of what the service returned (to repeat
    what was saved). A GET is the tab opening: the blank form."""
    customer = selectors.customer_detail(tenant=request.tenant, customer_id=customer_id)
    if request.method == "GET":
        if not request.htmx:
            return redirect(_url("detail", request, customer_id=customer.pk))
        context = {"form": form_class(prefix=prefix, **form_kwargs), "customer": customer}
        return render(request, f"customers/quick/_{prefix}.html", context)
    form = form_class(request.POST, prefix=prefix, **form_kwargs)
    saved = False
    if form.is_valid():
        try:
            result = service(
                tenant=request.tenant, actor=request.user, customer=customer, **form.cleaned_data
            )
        except services.CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            saved = True
            success = success(result) if callable(success) else success
            form = form_class(prefix=prefix, **form_kwargs)
    context = {"form": form, "customer": customer, "saved": saved, "success_message": success}
    if saved:
        customer.refresh_from_db()
        context.update(_customer_state(request, customer))
    if not request.htmx:
        if saved:
            messages.success(request, success)
        else:
            messages.error(request, _("Please correct the errors below."))
        return redirect(_url("detail", request, customer_id=customer.pk))
    return render(request, f"customers/quick/_{prefix}.html", context)


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_log_contact(request: HttpRequest, tenant_slug: str, customer_id: int):
    return _quick_action(
        request,
        customer_id=customer_id,
        form_class=InteractionForm,
        form_kwargs={"members": selectors.tenant_members(tenant=request.tenant)},
        prefix="contact",
        service=services.interaction_log,
        success=_("Contact logged."),
    )


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_record_sale(request: HttpRequest, tenant_slug: str, customer_id: int):
    return _quick_action(
        request,
        customer_id=customer_id,
        form_class=TransactionForm,
        form_kwargs={"tenant": request.tenant},
        prefix="sale",
        service=services.transaction_record,
        success=lambda sale: (
            _("Sale of %(amount)s recorded.")
            % {"amount": format_money(sale.amount, currency=sale.currency)}
        ),
    )


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_open_feedback(request: HttpRequest, tenant_slug: str, customer_id: int):
    return _quick_action(
        request,
        customer_id=customer_id,
        form_class=FeedbackForm,
        form_kwargs={"members": selectors.tenant_members(tenant=request.tenant)},
        prefix="feedback",
        service=services.feedback_open,
        success=_("Feedback recorded."),
    )


@login_required
@tenant_permission_required("customers.edit")
@require_http_methods(["GET", "POST"])
def customer_record_consent(request: HttpRequest, tenant_slug: str, customer_id: int):
    return _quick_action(
        request,
        customer_id=customer_id,
        form_class=ConsentForm,
        form_kwargs={},
        prefix="consent",
        service=services.consent_record,
        success=_("Consent recorded."),
    )


@login_required
@tenant_permission_required("customers.edit")
@require_POST
def follow_up_done(request: HttpRequest, tenant_slug: str, contact_id: int) -> HttpResponse:
    """Tick a follow-up off the agenda, then back to the home page."""
    contact = selectors.contact_detail(tenant=request.tenant, contact_id=contact_id)
    try:
        services.follow_up_done(tenant=request.tenant, actor=request.user, contact=contact)
    except services.CustomerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Follow-up with %(name)s done.") % {"name": contact.customer.display_name}
        )
    return redirect("tenant_home", tenant_slug=request.tenant.slug)


# --- feedback ----------------------------------------------------------------------------------


@login_required
@tenant_permission_required("customers.view")
@require_GET
def feedback_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    filterset = selectors.feedback_filterset(tenant=request.tenant, params=request.GET)
    page = selectors.page_without_count(
        filterset.qs, page=request.GET.get("page"), page_size=PAGE_SIZE
    )
    query_string = _query_without_page(request).urlencode()
    context = {
        "filterset": filterset,
        "page": page,
        "query_string": query_string,
        "overdue_before": selectors.feedback_overdue_before(tenant=request.tenant),
    }
    if _wants_partial(request):
        return render(request, "customers/feedback/_results.html", context)
    return render(request, "customers/feedback/list.html", context)


@login_required
@tenant_permission_required("customers.view")
@require_GET
def feedback_detail(request: HttpRequest, tenant_slug: str, feedback_id: int) -> HttpResponse:
    feedback = selectors.feedback_detail(tenant=request.tenant, feedback_id=feedback_id)
    return _feedback_page(request, feedback, resolve_form=FeedbackResolveForm())


def _feedback_page(request: HttpRequest, feedback, *, resolve_form) -> HttpResponse:
    update_form = FeedbackUpdateForm(
        members=selectors.tenant_members(tenant=request.tenant),
        initial={
            # Resolved feedback can only be reopened: "resolved" is not a choice here.
            "status": feedback.status if feedback.status != "resolved" else "open",
            "assignee": feedback.assignee_id,
        },
    )
    context = {"feedback": feedback, "update_form": update_form, "resolve_form": resolve_form}
    return render(request, "customers/feedback/detail.html", context)


@login_required
@tenant_permission_required("customers.edit")
@require_POST
def feedback_update(request: HttpRequest, tenant_slug: str, feedback_id: int) -> HttpResponse:
    feedback = selectors.feedback_detail(tenant=request.tenant, feedback_id=feedback_id)
    form = FeedbackUpdateForm(request.POST, members=selectors.tenant_members(tenant=request.tenant))
    if form.is_valid():
        try:
            services.feedback_update(
                tenant=request.tenant,
                actor=request.user,
                feedback=feedback,
                status=form.cleaned_data["status"],
                assignee=form.cleaned_data["assignee"],
            )
        except services.CustomerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Feedback updated."))
    else:
        messages.error(request, _("Choose a valid status and assignee."))
    return redirect(_url("feedback_detail", request, feedback_id=feedback.pk))


@login_required
@tenant_permission_required("customers.edit")
@require_POST
def feedback_resolve(request: HttpRequest, tenant_slug: str, feedback_id: int) -> HttpResponse:
    feedback = selectors.feedback_detail(tenant=request.tenant, feedback_id=feedback_id)
    form = FeedbackResolveForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_resolve(
                tenant=request.tenant,
                actor=request.user,
                feedback=feedback,
                resolution=form.cleaned_data["resolution"],
            )
        except services.CustomerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Feedback resolved."))
            return redirect(_url("feedback_detail", request, feedback_id=feedback.pk))
    return _feedback_page(request, feedback, resolve_form=form)
