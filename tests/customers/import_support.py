"""Helpers for the import and export tests: run an import from bytes, read a CSV response."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from customers.importing.service import import_local_file
from customers.models import ImportJob


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def english(tenant):
    """Pages and stored reasons use the tenant's language; tests assert the English source."""
    tenant.default_language = "en"
    tenant.save()
    return tenant


def run_import(
    tenant, kind: str, content: bytes, tmp_path: Path, name: str = "data.csv"
) -> ImportJob:
    path = tmp_path / name
    path.write_bytes(content)
    return import_local_file(tenant=tenant, kind=kind, path=str(path))


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def response_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def preview_url(tenant, job) -> str:
    from django.urls import reverse

    return reverse(
        "customers:import_preview", kwargs={"tenant_slug": tenant.slug, "job_id": job.pk}
    )


def preview_choices(client, tenant, job, **choices: str) -> dict[str, str]:
    """The preview form's data as shown (recognised columns mapped), with `choices` on top
    (column_<n>: a field name, "-" to ignore)."""
    form = client.get(preview_url(tenant, job)).context["form"]
    data = {name: field.initial or "" for name, field in form.fields.items()}
    return {**data, **choices}


def confirm_preview(client, tenant, job, **choices: str):
    """Confirm an upload's preview as a user would: the columns as recognised, plus `choices`."""
    data = preview_choices(client, tenant, job, **choices)
    return client.post(preview_url(tenant, job), {**data, "action": "confirm"})
