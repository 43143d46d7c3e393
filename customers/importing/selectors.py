"""Reading import jobs and turning a job's rejected rows into the downloadable report."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from crm.models import Tenant
from customers.importing.columns import COLUMNS_BY_KIND
from customers.models import ImportJob


def import_jobs(*, tenant: Tenant, limit: int = 50) -> list[ImportJob]:
    # The rejections can be large: the list page never needs them.
    return list(
        ImportJob.objects.filter(tenant=tenant)
        .select_related("created_by")
        .defer("rejections")
        .order_by("-created_at", "-id")[:limit]
    )


def import_job(*, tenant: Tenant, job_id: int, with_rejections: bool = False) -> ImportJob:
    """The tenant's job, or 404 (another tenant's job id is simply not found)."""
    jobs = ImportJob.objects.filter(tenant=tenant).select_related("created_by")
    if not with_rejections:
        jobs = jobs.defer("rejections")
    return get_object_or_404(jobs, pk=job_id)


REJECTIONS_PREVIEW = 20


def import_job_with_preview(*, tenant: Tenant, job_id: int) -> ImportJob:
    """The job with its first rejected rows as `rejections_preview`; the rest (up to
    thousands, with the original rows) stays in the database until downloaded."""
    jobs = (
        ImportJob.objects.filter(tenant=tenant)
        .select_related("created_by")
        .defer("rejections")
        .annotate(
            rejections_preview=RawSQL(
                "jsonb_path_query_array(rejections, %s::jsonpath)",
                (f"$[0 to {REJECTIONS_PREVIEW - 1}]",),
                output_field=JSONField(),
            )
        )
    )
    return get_object_or_404(jobs, pk=job_id)


def rejection_report_rows(*, job: ImportJob) -> Iterator[list[str]]:
    """The original header and rows, plus the line number and the reasons, for re-editing."""
    rejections = job.rejections or []
    header: list[str] = []
    for rejection in rejections:
        for name, _value in rejection["row"]:
            if name not in header:
                header.append(name)
    yield [*header, _("line"), _("reason")]
    for rejection in rejections:
        values = dict(rejection["row"])
        yield [
            *(values.get(name, "") for name in header),
            str(rejection["line"]),
            "; ".join(rejection["errors"]),
        ]


def template_rows(*, kind: str, turkish: bool) -> list[list[str]]:
    """A header and one example row: what the help panel shows, as a file to fill in."""
    columns = COLUMNS_BY_KIND[kind]
    return [
        [column.turkish if turkish else column.name for column in columns],
        [column.example for column in columns],
    ]
