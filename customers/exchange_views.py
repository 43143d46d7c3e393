"""Data exchange pages: CSV imports (list, upload, progress, rejected rows) and CSV exports.

Imports are for managers and admins (customers.import); exports of personal data for managers
and admins, and for sales staff where the company allows it (customers.export). Every export of
data is audited (exporting.audited).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.tenancy.permissions import tenant_permission_required
from customers import exporting
from customers.exchange_forms import ColumnMappingForm, ImportForm, TransactionExportForm
from customers.importing import selectors
from customers.importing.columns import COLUMNS_BY_KIND
from customers.importing.decoding import ImportFileError
from customers.importing.preview import PREVIEW_ROWS, import_preview
from customers.importing.service import (
    ImportPreviewError,
    ImportResumeError,
    import_job_confirm,
    import_job_create,
    import_job_discard,
    import_job_resume,
)
from customers.models import ImportJob, ImportKind, ImportStatus


def _file_description(job: ImportJob) -> str:
    if not job.encoding:
        return ""
    encoding = "Windows-1254" if job.encoding == "cp1254" else "UTF-8"
    delimiter = {
        ";": _("semicolon-separated"),
        "\t": _("tab-separated"),
    }.get(job.delimiter, _("comma-separated"))
    return f"{encoding}, {delimiter}"


def _selected_kind(form: ImportForm) -> str:
    kind = form["kind"].value()
    return kind if kind in ImportKind.values else ImportKind.CUSTOMERS


def _column_help() -> list[dict]:
    return [
        {"kind": kind, "label": label, "columns": COLUMNS_BY_KIND[kind]}
        for kind, label in ImportKind.choices
    ]


@login_required
@tenant_permission_required("customers.import")
@require_GET
def import_list(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    return render(
        request,
        "customers/imports/list.html",
        {
            "jobs": selectors.import_jobs(tenant=request.tenant),
            "export_form": TransactionExportForm(),
        },
    )


class UploadLimit(FileUploadHandler):
    """Stops reading an upload as soon as it passes CRM_MAX_UPLOAD_BYTES, instead of storing
    the whole file on disk before the form can say it is too large."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            # The rest of the request body is read and dropped; the form reports the error.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


# CSRF is checked inside, once the upload handler is in place: the CSRF middleware would
# otherwise read the whole body (and the file) before the view runs.
@csrf_exempt
@login_required
@tenant_permission_required("customers.import")
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    limit = UploadLimit(request, settings.CRM_MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, limit)
    return _import_new(request, tenant_slug, limit)


@csrf_protect
def _import_new(request: HttpRequest, tenant_slug: str, limit: UploadLimit) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, upload_too_large=limit.exceeded)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            tenant=request.tenant,
            user=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            file_format=form.file_format,
            preview=True,
        )
        return redirect("customers:import_preview", tenant_slug=tenant_slug, job_id=job.pk)
    return render(
        request,
        "customers/imports/new.html",
        {
            "form": form,
            "column_help": _column_help(),
            "selected_kind": _selected_kind(form),
            "max_upload_bytes": settings.CRM_MAX_UPLOAD_BYTES,
        },
    )


@login_required
@tenant_permission_required("customers.import")
@require_http_methods(["GET", "POST"])
def import_preview_page(request: HttpRequest, tenant_slug: str, job_id: int) -> HttpResponse:
    """How each column of the upload was understood and its first rows as read; the user maps
    or ignores the unknown headers, then confirms (nothing is written before)."""
    job = selectors.import_job(tenant=request.tenant, job_id=job_id)
    if job.status != ImportStatus.PREVIEW:
        return redirect("customers:import_detail", tenant_slug=tenant_slug, job_id=job.pk)
    try:
        preview = import_preview(tenant=request.tenant, job=job)
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("customers:import_new", tenant_slug=tenant_slug)
    bound = request.method == "POST"
    form = ColumnMappingForm(
        request.POST if bound else None, kind=job.kind, matches=preview.matches
    )
    if bound and request.POST.get("action") == "confirm" and form.is_valid():
        try:
            import_job_confirm(
                tenant=request.tenant,
                job_id=job.pk,
                mapping=form.mapping(),
                header=[match.text for match in preview.matches],
                actor=request.user,
            )
        except ImportPreviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The import runs in the background."))
        return redirect("customers:import_detail", tenant_slug=tenant_slug, job_id=job.pk)
    if bound:
        form.is_valid()  # show what is still to decide
        preview = import_preview(tenant=request.tenant, job=job, mapping=form.current_mapping())
    context = {
        "job": job,
        "form": form,
        "preview": preview,
        "preview_rows": PREVIEW_ROWS,
        "file_description": _file_description(job),
    }
    template = "customers/imports/preview.html"
    if request.htmx:
        template = "customers/imports/_preview_form.html"
    return render(request, template, context)


@login_required
@tenant_permission_required("customers.import")
@require_POST
def import_discard(request: HttpRequest, tenant_slug: str, job_id: int) -> HttpResponse:
    job = selectors.import_job(tenant=request.tenant, job_id=job_id)
    try:
        name = import_job_discard(tenant=request.tenant, job_id=job.pk, actor=request.user)
    except ImportPreviewError as exc:
        messages.error(request, str(exc))
        return redirect("customers:import_detail", tenant_slug=tenant_slug, job_id=job.pk)
    messages.success(
        request, _("The upload “%(file)s” was discarded; nothing was imported.") % {"file": name}
    )
    return redirect("customers:imports", tenant_slug=tenant_slug)


@login_required
@tenant_permission_required("customers.import")
@require_GET
def import_detail(request: HttpRequest, tenant_slug: str, job_id: int) -> HttpResponse:
    job = selectors.import_job_with_preview(tenant=request.tenant, job_id=job_id)
    if job.status == ImportStatus.PREVIEW:
        return redirect("customers:import_preview", tenant_slug=tenant_slug, job_id=job.pk)
    return render(
        request,
        "customers/imports/detail.html",
        {
            "job": job,
            "rejections_preview": job.rejections_preview,
            "file_description": _file_description(job),
        },
    )


@login_required
@tenant_permission_required("customers.import")
@require_GET
def import_progress(request: HttpRequest, tenant_slug: str, job_id: int) -> HttpResponse:
    """The htmx-polled progress card; it stops polling once the job is done or failed."""
    job = selectors.import_job(tenant=request.tenant, job_id=job_id)
    response = render(request, "customers/imports/_progress.html", {"job": job})
    if request.htmx and job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        # The rejected rows table below the card needs a full refresh.
        response["HX-Refresh"] = "true"
    return response


@login_required
@tenant_permission_required("customers.import")
@require_POST
def import_resume(request: HttpRequest, tenant_slug: str, job_id: int) -> HttpResponse:
    job = selectors.import_job(tenant=request.tenant, job_id=job_id)
    try:
        import_job_resume(tenant=request.tenant, job_id=job.pk, actor=request.user)
    except ImportResumeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The import starts again from the top of the file."))
    return redirect("customers:import_detail", tenant_slug=tenant_slug, job_id=job.pk)


@login_required
@tenant_permission_required("customers.import")
@require_GET
def import_rejections(request: HttpRequest, tenant_slug: str, job_id: int) -> HttpResponse:
    job = selectors.import_job(tenant=request.tenant, job_id=job_id, with_rejections=True)
    if job.purged_at is not None:
        messages.info(request, _("The rejected rows of this import have been deleted."))
        return redirect("customers:import_detail", tenant_slug=tenant_slug, job_id=job.pk)
    style = exporting.CsvStyle(turkish_excel=job.delimiter == ";", zone=request.tenant.zone)
    rows = selectors.rejection_report_rows(job=job)
    header = next(rows)
    lines = exporting.audited(
        exporting.csv_lines(header, rows, style),
        tenant=request.tenant,
        actor=request.user,
        action="customers.import.rejections_exported",
        details={"filter": {"import_job": job.pk}},
    )
    return exporting.csv_download(lines, f"import-{job.pk}-rejected-rows.csv")


@login_required
@tenant_permission_required("customers.import")
@require_GET
def import_template(request: HttpRequest, tenant_slug: str, kind: str) -> HttpResponse:
    if kind not in ImportKind.values:
        raise Http404
    turkish = (get_language() or "").startswith("tr")
    header, example = selectors.template_rows(kind=kind, turkish=turkish)
    style = exporting.CsvStyle(turkish_excel=turkish, zone=request.tenant.zone)
    return exporting.csv_download(
        exporting.csv_lines(header, [example], style), f"{kind}-template.csv"
    )


@login_required
@tenant_permission_required("customers.export")
@require_GET
def export_customers(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The customer list as CSV, with the list page's own filters, search and sort."""
    params = request.GET.copy()
    turkish_excel = params.pop("format", ["semicolon"])[-1] != "comma"
    params.pop("page", None)
    lines = exporting.customer_export_lines(
        tenant=request.tenant,
        actor=request.user,
        params=params,
        turkish_excel=turkish_excel,
        turkish=(request.LANGUAGE_CODE or "").startswith("tr"),
        role=request.tenant_role,
    )
    return exporting.csv_download(lines, f"customers-{timezone.localdate():%Y-%m-%d}.csv")


@login_required
@tenant_permission_required("customers.export")
@require_GET
def export_transactions_form(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The date range form, for roles that do not see the data exchange page."""
    return render(
        request,
        "customers/imports/export_transactions.html",
        {"export_form": TransactionExportForm()},
    )


@login_required
@tenant_permission_required("customers.export")
@require_GET
def export_transactions(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    form = TransactionExportForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "customers/imports/export_transactions.html",
            {"export_form": form},
            status=400,
        )
    lines = exporting.transaction_export_lines(
        tenant=request.tenant,
        actor=request.user,
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
        turkish_excel=form.turkish_excel,
    )
    return exporting.csv_download(lines, f"transactions-{timezone.localdate():%Y-%m-%d}.csv")
