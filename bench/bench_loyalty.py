"""Benchmark: loyalty earning on a 100,000-transaction import, the nightly release and expiry
of a big ledger, and the customer page's loyalty panel for a customer with 10,000 entries.

Also the programme overview: its figures computed over the whole ledger, and read by the page.

Targets (issue 10): earning on an import of 100,000 transactions adds <= 5 s; the nightly
expiry and pending release for a tenant with 1,000,000 members and 20,000,000 entries <= 30 s;
the loyalty panel < 50 ms for a customer with 10,000 entries.

Run it from the project root::

    .venv/bin/python bench/bench_loyalty.py [--members 1000000] [--entries 20000000]

It works in its own database, crm_bench_loyalty on the embedded PostgreSQL, or in
$DATABASE_URL. The ledger is generated set-based (generate_series): earn entries spread over
two years, each older than its return window settled by a release entry, so a night has about
1/730 of the ledger falling due for release and for expiry. The defaults are the issue's
scale; on a shared machine, pass smaller figures and read the per-million rate.
"""

from __future__ import annotations

import argparse
import os
import time

from common import as_owner, bench_setup, measure

BENCH_DATABASE = "crm_bench_loyalty"


def _tenant(slug: str):
    from datetime import date

    from crm.models import Tenant
    from loyalty.models import Programme

    tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": f"Bench {slug}"})
    with as_owner():
        Programme.objects.get_or_create(
            tenant=tenant,
            defaults={"name": "Bench", "starts_on": date(2000, 1, 1), "expiry_months": 12},
        )
    return tenant


def _customers(cursor, tenant_id: int, count: int) -> None:
    cursor.execute("SELECT count(*) FROM customers_customer WHERE tenant_id = %s", [tenant_id])
    if cursor.fetchone()[0] >= count:
        return
    cursor.execute(
        """
        INSERT INTO customers_customer
            (tenant_id, kind, first_name, last_name, company_name, email, phone, address,
             city, region, country, industry, tax_number, acquisition_channel,
             lifecycle_stage, termination_reason, tags, preferred_channel,
             preferred_language, consent_email, consent_sms, consent_phone,
             external_id, notes, created_at, updated_at)
        SELECT %s, 'person', 'Ad', 'Soyad ' || g, '', '', '', '', 'İstanbul', 'Marmara', 'TR',
               '', '', '', 'active', '', '{}', '', 'tr', false, false, false,
               'B' || g, '', now(), now()
        FROM generate_series(1, %s) g
        """,
        [tenant_id, count],
    )


def _backend_cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by the database server process `pid` (None when the server is not
    on this machine): on the shared machine, a figure that the other sessions' load inflates
    far less than the wall clock's."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_import_earning(transactions: int, customers: int) -> None:
    """What earning adds to an import: points_earn for the job's rows (the hook's work)."""
    from django.db import connection, transaction
    from django_scopes import scope

    from customers.models import ImportJob
    from loyalty.services.ledger import points_earn

    tenant = _tenant("bench-loyalty-import")
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # drop the old ledger fast
        for table in ("loyalty_pointsentry", "loyalty_member"):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("DELETE FROM customers_transaction WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("SET session_replication_role = origin")
        # Autovacuum is off here: without this every run would write into the indexes of
        # all the previous runs' dead rows, and get slower run after run; and the planner
        # gets true statistics (a live database has them; without them here, a run once
        # took 557 s, its plans built on a never-analysed customers table).
        cursor.execute("VACUUM ANALYZE loyalty_pointsentry, loyalty_member, customers_transaction")
        _customers(cursor, tenant.pk, customers)
        cursor.execute("ANALYZE customers_customer")
    with scope(tenant=tenant):
        job = ImportJob.objects.create(tenant=tenant, kind="transactions", original_filename="b")
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO customers_transaction
                (tenant_id, customer_id, kind, occurred_at, amount, currency, channel,
                 quantity, status, external_id, import_job_id, created_at)
            SELECT %(tenant)s, c.id, 'purchase', now() - (g %% 365) * interval '1 day',
                   (10 + g %% 990)::numeric, 'TRY', 'store', 1, 'completed', 'BT' || g,
                   %(job)s, now()
            FROM generate_series(1, %(n)s) g
            JOIN LATERAL (
                SELECT id FROM customers_customer
                WHERE tenant_id = %(tenant)s AND external_id = 'B' || (1 + g %% %(customers)s)
            ) c ON true
            """,
            {"tenant": tenant.pk, "job": job.pk, "n": transactions, "customers": customers},
        )
        cursor.execute("ANALYZE customers_transaction")
        cursor.execute("SELECT pg_backend_pid()")
        [backend] = cursor.fetchone()
    with scope(tenant=tenant):
        for label in ("first (earns)", "again (a re-import / second delivery)"):
            cpu_before = _backend_cpu_seconds(backend)
            started = time.perf_counter()
            with transaction.atomic():
                result = points_earn(tenant=tenant, import_job_id=job.pk)
            seconds = time.perf_counter() - started
            cpu_after = _backend_cpu_seconds(backend)
            cpu = "" if cpu_after is None else f", database CPU {cpu_after - cpu_before:.2f} s"
            print(
                f"earning on a {transactions:,}-transaction import, {label}: {seconds:.2f} s "
                f"({result.enrolled:,} enrolled, {result.entries:,} entries, {result.points:,} "
                f"points{cpu}){'  OK' if seconds <= 5 else '  MISSED (target 5 s)'}"
            )


def _ledger(cursor, tenant_id: int, members: int, entries: int) -> None:
    """`members` members with entries/members entries each: earns over two years, each older
    than 14 days settled by a release entry; balances set from the ledger."""
    cursor.execute("SELECT count(*) FROM loyalty_pointsentry WHERE tenant_id = %s", [tenant_id])
    if cursor.fetchone()[0] >= entries:
        print("Reusing the ledger.")
        return
    cursor.execute("SET session_replication_role = replica")
    cursor.execute("DELETE FROM loyalty_pointsentry WHERE tenant_id = %s", [tenant_id])
    cursor.execute("DELETE FROM loyalty_member WHERE tenant_id = %s", [tenant_id])
    cursor.execute("SET session_replication_role = origin")
    _customers(cursor, tenant_id, members)
    started = time.perf_counter()
    # generate_series is estimated at 1,000 rows: with nested loops allowed, the planner loops
    # over the members once per generated entry (quadratic: 20+ minutes for 2,000,000 entries).
    cursor.execute("SET enable_nestloop = off")
    cursor.execute(
        """
        INSERT INTO loyalty_member (tenant_id, customer_id, enrolled_at, available, pending)
        SELECT %s, id, now(), 0, 0 FROM customers_customer WHERE tenant_id = %s
        ORDER BY id LIMIT %s
        """,
        [tenant_id, tenant_id, members],
    )
    earns = entries // 2
    # Earn times spread over 730 days; the release of an earn is the next entry.
    cursor.execute(
        """
        WITH m AS (SELECT id, row_number() OVER (ORDER BY id) AS n
                   FROM loyalty_member WHERE tenant_id = %(tenant)s)
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, releases_at, expires_at)
        SELECT %(tenant)s, m.id, 'earn', 'transaction', 0, 10 + g %% 90, '',
               'bench-earn:' || g, t, t + interval '14 days', t + interval '12 months'
        FROM generate_series(1, %(earns)s) g
        CROSS JOIN LATERAL (SELECT now() - (g::float / %(earns)s) * interval '730 days' AS t) x
        JOIN m ON m.n = 1 + g %% %(members)s
        """,
        {"tenant": tenant_id, "earns": earns, "members": members},
    )
    cursor.execute(
        """
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at, expires_at, settles_id)
        SELECT tenant_id, member_id, 'release', source, pending_delta, -pending_delta, '',
               'release:' || id, releases_at, expires_at, id
        FROM loyalty_pointsentry
        WHERE tenant_id = %(tenant)s AND kind = 'earn' AND releases_at < now() - interval '1 day'
        """,
        {"tenant": tenant_id},
    )
    # Yesterday's expiry already ran: expire what was due before yesterday (one entry each).
    cursor.execute(
        """
        INSERT INTO loyalty_pointsentry
            (tenant_id, member_id, kind, source, available_delta, pending_delta, reason,
             idempotency_key, created_at)
        SELECT %(tenant)s, member_id, 'expire', 'system', -sum(pending_delta), 0, 'bench',
               'bench-expire:' || member_id, now() - interval '1 day'
        FROM loyalty_pointsentry
        WHERE tenant_id = %(tenant)s AND kind = 'earn'
          AND expires_at <= now() - interval '1 day'
        GROUP BY member_id
        """,
        {"tenant": tenant_id},
    )
    cursor.execute(
        """
        UPDATE loyalty_member m SET available = s.available, pending = s.pending
        FROM (SELECT member_id, sum(available_delta) available, sum(pending_delta) pending
              FROM loyalty_pointsentry WHERE tenant_id = %(tenant)s GROUP BY member_id) s
        WHERE m.id = s.member_id
        """,
        {"tenant": tenant_id},
    )
    cursor.execute(
        """
        UPDATE loyalty_programme SET released_through = now() - interval '1 day',
                                     expired_through = now() - interval '1 day'
        WHERE tenant_id = %s
        """,
        [tenant_id],
    )
    cursor.execute("RESET enable_nestloop")
    cursor.execute("VACUUM ANALYZE loyalty_pointsentry")
    cursor.execute("VACUUM ANALYZE loyalty_member")
    cursor.execute("SELECT count(*) FROM loyalty_pointsentry WHERE tenant_id = %s", [tenant_id])
    print(
        f"Generated {cursor.fetchone()[0]:,} ledger entries for {members:,} members in "
        f"{time.perf_counter() - started:.0f} s."
    )


def bench_nightly(members: int, entries: int, *, keep: bool = False) -> None:
    """The nightly release and expiry for the night after the ledger was generated, timed with
    the commit's deferred constraint checks, then rolled back (unless `keep`): the generated
    ledger stays as it was, so a rerun on any later day times the same night's work."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django_scopes import scope

    from loyalty.models import Programme
    from loyalty.services.ledger import points_expire, points_release

    tenant = _tenant("bench-loyalty-ledger")
    with as_owner(), connection.cursor() as cursor:
        _ledger(cursor, tenant.pk, members, entries)
    with as_owner():
        # The generator marks yesterday's run as done; "tonight" is one day after it.
        night = Programme.objects.get(tenant=tenant).released_through + timedelta(days=1)
    with scope(tenant=tenant), transaction.atomic():
        started = time.perf_counter()
        released = points_release(tenant=tenant, now=night)
        middle = time.perf_counter()
        expired = points_expire(tenant=tenant, now=night)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the commit would check
        ended = time.perf_counter()
        total = ended - started
        print(
            f"nightly for {members:,} members / {entries:,} entries: release "
            f"{middle - started:.2f} s ({released:,} points), expiry {ended - middle:.2f} s "
            f"({expired:,} points), total {total:.2f} s"
            f"{'  OK' if total <= 30 else '  MISSED (target 30 s)'}"
        )
        started = time.perf_counter()
        points_release(tenant=tenant, now=night)
        points_expire(tenant=tenant, now=night)
        print(f"  run again the same night (nothing to do): {time.perf_counter() - started:.2f} s")
        if not keep:
            transaction.set_rollback(True)


def bench_panel(entries: int, repeat: int) -> None:
    from django.db import connection
    from django.test import RequestFactory
    from django_scopes import scope

    from customers.models import Customer
    from loyalty.models import Member
    from loyalty.panels import customer_panel_context

    tenant = _tenant("bench-loyalty-panel")
    with as_owner(), connection.cursor() as cursor:
        _ledger(cursor, tenant.pk, 1, entries)
    with scope(tenant=tenant):
        member = Member.objects.get(tenant=tenant)
        customer = Customer.objects.get(pk=member.customer_id)
        request = RequestFactory().get("/")
        request.tenant, request.tenant_role = tenant, "manager"

        def panel():
            context = customer_panel_context(request=request, tenant=tenant, customer=customer)
            list(context["loyalty"].recent)

        print(
            measure(f"loyalty panel, {entries:,} entries", panel, repeat=repeat).line(target_ms=50)
        )


def bench_overview(members: int, entries: int, repeat: int) -> None:
    """The overview page's figures: computing them over the whole ledger (the nightly run's
    last step, and what the page did on every load before) and reading them (the page)."""
    from django.db import connection
    from django_scopes import scope

    from loyalty.selectors import programme_overview
    from loyalty.services.overview import overview_figures_refresh

    tenant = _tenant("bench-loyalty-ledger")
    with as_owner(), connection.cursor() as cursor:  # row-level security would hide the ledger
        _ledger(cursor, tenant.pk, members, entries)
    with scope(tenant=tenant):
        started = time.perf_counter()
        figures = overview_figures_refresh(tenant=tenant)
        print(
            f"overview figures over {members:,} members / {entries:,} entries computed in "
            f"{time.perf_counter() - started:.2f} s (issued {figures.totals['issued']:,})"
        )
        print(
            measure(
                "overview page's figures (read)", lambda: programme_overview(tenant=tenant),
                repeat=repeat,
            ).line(target_ms=100)
        )  # fmt: skip


def machine_load() -> str:
    """How busy the shared machine is: load average, and the share of a core a fixed CPU-bound
    loop got (1.0 on an idle machine); read the timings above against it."""
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    sum(range(20_000_000))
    share = (time.process_time() - started_cpu) / (time.perf_counter() - started_wall)
    one, five, _fifteen = os.getloadavg()
    return (
        f"machine: load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores; "
        f"a CPU-bound loop got {share:.0%} of a core"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=20_000_000)
    parser.add_argument("--panel-entries", type=int, default=10_200)  # >= 10,000 kept
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", choices=["import", "nightly", "panel", "overview"])
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="generate (or check) the nightly's ledger and stop, without timing anything",
    )
    parser.add_argument(
        "--keep-nightly",
        action="store_true",
        help="commit the timed nightly run instead of rolling it back (the next run of the "
        "nightly then has nothing to do for that night)",
    )
    args = parser.parse_args()
    print(bench_setup(database=BENCH_DATABASE))
    print(machine_load())
    if args.generate_only:
        from django.db import connection

        with as_owner(), connection.cursor() as cursor:
            _ledger(cursor, _tenant("bench-loyalty-ledger").pk, args.members, args.entries)
        return
    if args.only in (None, "import"):
        bench_import_earning(args.transactions, args.customers)
    if args.only in (None, "panel"):
        bench_panel(args.panel_entries, args.repeat)
    if args.only in (None, "nightly"):
        bench_nightly(args.members, args.entries, keep=args.keep_nightly)
    if args.only in (None, "overview"):
        bench_overview(args.members, args.entries, args.repeat)
    print(machine_load())


if __name__ == "__main__":
    main()
