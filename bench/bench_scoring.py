"""Scoring (issue 4): a full recompute — scores, tiers, history and dashboard summaries — of one
tenant, timed step by step, with the Python process's memory.

Targets: 1,000,000 customers / 10,000,000 transactions in ≤ 30 s; 100,000 customers in ≤ 4 s;
memory flat (all the work is in PostgreSQL: the process's RSS must not grow with the tenant).

    .venv/bin/python bench/bench_scoring.py                       # 1M / 10M tenant /bench/
    .venv/bin/python bench/bench_scoring.py --customers 100000 --transactions 1000000 \
        --slug bench-100k
    .venv/bin/python bench/bench_scoring.py --fresh --explain     # first run (no stored scores),
                                                                  # EXPLAIN of the slowest step

Each run after the first works over stored scores: rows whose values did not change are not
rewritten, so a second run on the same day is cheaper than a real night; --nightly times run k
as if k − 1 days later, when recency moves for every customer and every row is rewritten.
--fresh clears the tenant's scores first, to time a first run, which writes every score row
and a tier history row per tiered customer.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from common import argument_parser, bench_setup, current_rss_mb, peak_rss_mb, scale_tenant_ensure

TARGETS_S = {1_000_000: 30.0, 100_000: 4.0}


def target_for(customers: int) -> float:
    # The two points, and linear between/above them.
    if customers >= 1_000_000:
        return TARGETS_S[1_000_000] * customers / 1_000_000
    if customers <= 100_000:
        return TARGETS_S[100_000]
    share = (customers - 100_000) / 900_000
    return TARGETS_S[100_000] + share * (TARGETS_S[1_000_000] - TARGETS_S[100_000])


def clear_scores(tenant) -> None:
    from common import as_owner
    from django.db import connection

    with as_owner(), connection.cursor() as cursor:
        for table in (
            # the dashboard's per-run summaries and facts (they reference the runs)
            "segmentation_segmentrunsize",
            "segmentation_rundimensionsummary",
            "segmentation_runclasssummary",
            "segmentation_runfigures",
            "segmentation_customerfacts",
            "segmentation_tierchange",
            "segmentation_runtransitionsummary",
            "segmentation_runtiersummary",
            "segmentation_customerscore",
            "segmentation_scorerun",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("VACUUM segmentation_customerscore")


def main() -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=2, help="recomputes in a row")
    parser.add_argument("--fresh", action="store_true", help="clear the tenant's scores first")
    parser.add_argument(
        "--nightly",
        action="store_true",
        help="run k is timed as if k − 1 days later (recency and windows move for everyone)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) of the slowest step"
    )
    args = parser.parse_args()

    print(bench_setup())
    from django.utils import timezone
    from django_scopes import scope

    from segmentation.models import RunTrigger
    from segmentation.services import scores_recompute

    tenant = scale_tenant_ensure(
        slug=args.slug, customers=args.customers, transactions=args.transactions
    )
    target = target_for(args.customers)
    if args.fresh:
        clear_scores(tenant)
        print("Cleared the tenant's scores: the first run writes every row.")

    totals = []
    rss_before = current_rss_mb()
    for number in range(1, args.runs + 1):
        started = time.perf_counter()
        with scope(tenant=tenant):
            run = scores_recompute(
                tenant=tenant,
                trigger=RunTrigger.COMMAND,
                now=timezone.now() + timedelta(days=number - 1 if args.nightly else 0),
            )
        wall = time.perf_counter() - started
        totals.append(wall)
        print(
            f"\nrun {number}: {run.get_status_display()} in {wall:.2f} s wall "
            f"({run.customers_total:,} customers, {run.customers_scored:,} active, "
            f"{run.tier_changes:,} tier changes); RSS now {current_rss_mb():.0f} MB"
        )
        if run.error:
            print(f"  error: {run.error}")
        for step, seconds in run.seconds.items():
            print(f"  {step:<28} {seconds:7.2f} s")

    if args.explain:
        plans: dict[str, str] = {}
        with scope(tenant=tenant):
            run = scores_recompute(tenant=tenant, trigger=RunTrigger.COMMAND, plans=plans)
        steps = {name: s for name, s in run.seconds.items() if name in plans}
        slowest = max(steps, key=steps.get)
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest step, “{slowest}”:\n")
        print(plans[slowest])

    best = min(totals)
    print(
        f"\nfull recompute, {args.customers:,} customers: best {best:.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in totals)} s; target ≤ {target:.0f} s: "
        f"{'OK' if best <= target else 'MISSED'}"
    )
    print(
        f"memory: RSS {rss_before:.0f} MB before the runs, {current_rss_mb():.0f} MB after, "
        f"peak {peak_rss_mb():.0f} MB"
    )
    return 0 if best <= target else 2


if __name__ == "__main__":
    sys.exit(main())
