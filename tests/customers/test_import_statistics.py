"""Every import ends by analyzing the tables it wrote (issue 14): the planner then knows the
tenant's size, and a recompute right after the import gets linear plans."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from crm.whole_tenant import stale_tables
from customers.models import ImportKind, ImportStatus
from tests.customers.import_support import english, media_root, run_import  # noqa: F401
from tests.factories import CustomerFactory
from tests.planner_support import statistics_reset

pytestmark = pytest.mark.usefixtures("media_root", "english", "tenant_scope")


def test_customer_import_analyzes_customers_and_consent_records(tenant, tmp_path):
    tables = ["customers_customer", "customers_consentrecord"]
    statistics_reset(tables)
    assert stale_tables(tables=tables) == sorted(tables)

    job = run_import(tenant, ImportKind.CUSTOMERS, b"external_id,first_name\nM1,Ali\n", tmp_path)

    assert job.status == ImportStatus.DONE
    assert job.analyze_seconds is not None and job.analyze_seconds >= 0
    assert stale_tables(tables=tables) == []


def test_transaction_import_analyzes_transactions(tenant, tmp_path):
    CustomerFactory(tenant=tenant, external_id="M1")
    statistics_reset(["customers_transaction"])

    job = run_import(
        tenant,
        ImportKind.TRANSACTIONS,
        b"external_id;customer_external_id;occurred_at;amount\nT1;M1;01.03.2026;1.250,50\n",
        tmp_path,
    )

    assert (job.status, job.created_rows) == (ImportStatus.DONE, 1)
    assert job.analyze_seconds is not None
    assert stale_tables(tables=["customers_transaction"]) == []


def test_a_failed_import_still_analyzes_what_it_committed(tenant, tmp_path, monkeypatch):
    from customers.importing import service
    from customers.importing.decoding import ImportFileError

    def fail_mid_file(**kwargs):
        raise ImportFileError("The file changed.")

    monkeypatch.setattr(service, "_import", fail_mid_file)
    statistics_reset(["customers_customer"])

    job = run_import(tenant, ImportKind.CUSTOMERS, b"external_id,first_name\nM1,Ali\n", tmp_path)

    assert job.status == ImportStatus.FAILED
    assert job.analyze_seconds is not None
    assert "customers_customer" not in stale_tables(tables=["customers_customer"])


def test_import_command_reports_the_statistics_update(tenant, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_bytes(b"external_id,first_name\nM1,Ali\n")

    call_command("import_customers", "--tenant", tenant.slug, str(path))

    assert "1 created, 0 updated, 0 unchanged, 0 rejected; statistics updated in" in (
        capsys.readouterr().out
    )
