"""Benchmark: import 100,000 transactions for existing customers, then import the file again.

Target (issue 3): the first import takes at most 20 s on a 2-core machine, with memory flat.

Run it from the project root::

    .venv/bin/python bench/bench_import.py [--customers 20000] [--transactions 100000]

It works in its own database, crm_bench_import on the embedded PostgreSQL (created and
migrated on first use), or in $DATABASE_URL when that is set. It creates a tenant with
20,000 customers (set-based), writes a Turkish-style transactions CSV (semicolon, decimal
comma, dd.mm.yyyy HH:MM, Windows-1254), imports it through the same code path as the browser
and `manage.py import_transactions`, and prints the wall time and the process's peak RSS;
then it imports the same file again (every row unchanged), then a file with every 10th row
changed, and prints the figures of each run.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from common import bench_setup, peak_rss_mb

BENCH_DATABASE = "crm_bench_import"
TENANT_SLUG = "bench-import"


def _setup(media_root: str) -> str:
    os.environ["MEDIA_ROOT"] = media_root
    return bench_setup(database=BENCH_DATABASE)


def _prepare_tenant(customers: int):
    """The tenant with `customers` customers (external ids C000001...) and no transactions."""
    from common import as_owner
    from django.db import connection

    from crm.models import Tenant

    tenant, _ = Tenant.objects.get_or_create(slug=TENANT_SLUG, defaults={"name": "Bench İthalat"})
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM customers_transaction WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("SELECT count(*) FROM customers_customer WHERE tenant_id = %s", [tenant.pk])
        (existing,) = cursor.fetchone()
        if existing != customers:
            cursor.execute("DELETE FROM customers_consentrecord WHERE tenant_id = %s", [tenant.pk])
            cursor.execute("DELETE FROM customers_customer WHERE tenant_id = %s", [tenant.pk])
            cursor.execute(
                """
                INSERT INTO customers_customer
                    (tenant_id, kind, first_name, last_name, company_name, email, phone, address,
                     city, region, country, industry, tax_number, acquisition_channel,
                     lifecycle_stage, termination_reason, tags, preferred_channel,
                     preferred_language, consent_email, consent_sms, consent_phone,
                     external_id, notes, created_at, updated_at)
                SELECT %s, 'person', 'Ad ' || n, 'Soyad ' || n, '', '', '', '', 'İstanbul',
                       'Marmara', 'TR', '', '', '', 'active', '', '{}', '', 'tr',
                       false, false, false, 'C' || lpad(n::text, 6, '0'), '', now(), now()
                FROM generate_series(1, %s) AS n
                """,
                [tenant.pk, customers],
            )
        cursor.execute("ANALYZE customers_customer")
    return tenant


def _write_csv(path: Path, *, rows: int, customers: int, changed_every: int = 0) -> None:
    """A Turkish Excel-style file: cp1254, semicolons, decimal comma, dd.mm.yyyy HH:MM.
    With changed_every=n, every n-th row gets another quantity (an "updated file")."""
    rng = random.Random(3)
    channels = ["Mağaza", "web", "Telefon", "Bayi"]
    with path.open("w", encoding="cp1254", newline="") as out:
        out.write("İşlem No;Müşteri No;Tarih;Tutar;Maliyet;Kanal;Adet;Durum\r\n")
        for n in range(1, rows + 1):
            amount = rng.randint(100, 500_000)
            day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2022, 2025)
            out.write(
                f"T{n:07d};C{rng.randint(1, customers):06d};"
                f"{day:02d}.{month:02d}.{year} {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d};"
                f"{amount // 100:,}".replace(",", ".")
                + f",{amount % 100:02d};{amount * 6 // 1000},{amount % 10}0;"
                f"{rng.choice(channels)};"
                f"{rng.randint(1, 5) + (10 if changed_every and n % changed_every == 0 else 0)};"
                f"{'İade' if n % 50 == 0 else 'Tamamlandı'}\r\n"
            )


def _timed_import(tenant, path: Path):
    from django_scopes import scope

    from customers.importing.service import import_local_file
    from customers.models import ImportKind

    started = time.perf_counter()
    with scope(tenant=tenant):
        job = import_local_file(tenant=tenant, kind=ImportKind.TRANSACTIONS, path=str(path))
    return job, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--transactions", type=int, default=100_000)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-import-") as workdir:
        print(_setup(media_root=str(Path(workdir) / "media")))
        tenant = _prepare_tenant(options.customers)
        path = Path(workdir) / "islemler.csv"
        _write_csv(path, rows=options.transactions, customers=options.customers)
        size_mb = path.stat().st_size / 1024 / 1024
        print(
            f"{options.customers:,} customers; "
            f"file: {options.transactions:,} rows, {size_mb:.1f} MB"
        )
        print(f"peak RSS before importing: {peak_rss_mb():.0f} MB")

        updated_path = Path(workdir) / "islemler-guncel.csv"
        _write_csv(
            updated_path, rows=options.transactions, customers=options.customers, changed_every=10
        )
        runs = (
            ("first import", path),
            ("same file again", path),
            ("file with every 10th row changed", updated_path),
        )
        for label, run_path in runs:
            job, seconds = _timed_import(tenant, run_path)
            print(
                f"{label}: {seconds:.2f} s wall, peak RSS {peak_rss_mb():.0f} MB — "
                f"{job.status}: {job.created_rows:,} created, {job.updated_rows:,} updated, "
                f"{job.unchanged_rows:,} unchanged, {job.rejected_rows:,} rejected"
            )


if __name__ == "__main__":
    main()
