"""The management commands share the browser's import and export code."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from customers.models import Customer, ImportJob
from tests.customers.import_support import english, media_root  # noqa: F401
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("media_root", "english")


def test_import_customers_command_creates_a_job_and_reports(tenant, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_bytes("Müşteri No;Ad\nM1;Ali\nM1;Ali\n".encode("cp1254"))

    call_command("import_customers", "--tenant", tenant.slug, str(path))

    assert "1 created" in capsys.readouterr().out
    with scopes_disabled():
        assert ImportJob.objects.get(tenant=tenant).rejected_rows == 1
        assert Customer.objects.filter(tenant=tenant, external_id="M1").exists()


def test_import_transactions_command_rejects_a_wrong_header(tenant, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n")

    with pytest.raises(CommandError, match="Required columns are missing"):
        call_command("import_transactions", "--tenant", tenant.slug, str(path))


def test_import_command_needs_a_known_tenant(db, tmp_path):
    with pytest.raises(CommandError, match="No tenant"):
        call_command("import_customers", "--tenant", "nope", str(tmp_path / "x.csv"))


def test_export_customers_command_writes_the_filtered_list(tenant, other_tenant, tmp_path):
    CustomerFactory(tenant=tenant, external_id="A1", lifecycle_stage="active")
    CustomerFactory(tenant=tenant, external_id="P1", lifecycle_stage="prospect")
    CustomerFactory(tenant=other_tenant, external_id="A2", lifecycle_stage="active")
    output = tmp_path / "out.csv"

    call_command(
        "export_customers", "--tenant", tenant.slug, "-o", str(output), "--format", "comma",
        "--filter", "lifecycle_stage=active",
    )  # fmt: skip

    lines = output.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("external_id,kind,")
    assert [line.split(",")[0] for line in lines[1:]] == ["A1"]
