"""Prediction (issue 11): the nightly prediction step of one tenant — RFM summary, BG/NBD and
Gamma-Gamma fits, every customer's prediction written — then co-purchase rules and suggestions,
the relationship review, the review page, and the suggestions' hit rate against the
"most popular products" baseline on a holdout month.

Targets (1,000,000 customers / 10,000,000 transactions): prediction step ≤ 60 s with ≤ 1 GB
peak memory; co-purchase statistics and suggestions ≤ 60 s; the review page < 150 ms.

    .venv/bin/python bench/bench_prediction.py                       # 1M / 10M tenant /bench/
    .venv/bin/python bench/bench_prediction.py --customers 100000 --transactions 1000000 \
        --slug bench-100k
    .venv/bin/python bench/bench_prediction.py --prediction-only     # the nightly step alone
"""

from __future__ import annotations

import time
from datetime import timedelta

from common import argument_parser, bench_setup, measure, peak_rss_mb, scale_tenant_ensure


def main() -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument(
        "--prediction-only",
        action="store_true",
        help="time the nightly prediction step only (no suggestions, review, hit rate, page)",
    )
    args = parser.parse_args()

    print(bench_setup())
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_scopes import scope

    from crm.models import Membership, Role
    from prediction.services import predictions_run
    from prediction.services.review import relationship_review_refresh
    from prediction.services.suggestions import suggestion_hit_rate, suggestions_refresh
    from tests.factories import UserFactory

    tenant = scale_tenant_ensure(
        slug=args.slug, customers=args.customers, transactions=args.transactions
    )
    # Inside the tenant's scope: outside it, row-level security shows no rows (crm/rls.py).
    with scope(tenant=tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(occurred_at) FROM customers_transaction WHERE tenant_id = %s", [tenant.pk]
        )
        last = cursor.fetchone()[0]
    today = timezone.now().astimezone(tenant.zone).date()
    as_of = min(today, last.astimezone(tenant.zone).date())

    with scope(tenant=tenant):
        started = time.perf_counter()
        run = predictions_run(tenant=tenant, as_of=as_of, live=True)
        wall = time.perf_counter() - started
    print(
        f"\nprediction step: {run.get_status_display()} in {wall:.2f} s "
        f"({run.customers:,} customers, {run.repeat_buyers:,} repeat buyers); "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )
    for step, seconds in run.seconds.items():
        print(f"  {step:<10} {seconds:7.2f} s")
    print(f"  parameters {run.parameters}")
    if args.prediction_only:
        return 0

    with scope(tenant=tenant):
        started = time.perf_counter()
        steps = suggestions_refresh(tenant=tenant, as_of=as_of)
        print(f"\nco-purchase rules and suggestions: {time.perf_counter() - started:.2f} s {steps}")
        started = time.perf_counter()
        flagged = relationship_review_refresh(tenant=tenant)
        print(f"relationship review: {flagged:,} flagged in {time.perf_counter() - started:.2f} s")
        cutoff = as_of - timedelta(days=30)
        started = time.perf_counter()
        hits = suggestion_hit_rate(tenant=tenant, cutoff=cutoff, days=30)
        print(
            f"hit rate (cut-off {cutoff}, 30-day holdout, {hits.buyers:,} holdout buyers, "
            f"{hits.with_suggestions:,} with suggestions): top-3 suggestions {hits.model:.1%}, "
            f"most popular {hits.baseline:.1%} ({time.perf_counter() - started:.1f} s)"
        )

    manager = UserFactory(username=f"bench-manager-{tenant.pk}-{time.time_ns()}")
    Membership.objects.create(tenant=tenant, user=manager, role=Role.MANAGER)
    client = Client()
    client.force_login(manager)
    url = reverse("prediction:review", kwargs={"tenant_slug": tenant.slug})
    timing = measure("review page", lambda: client.get(url), repeat=15)
    print(timing.line(target_ms=150))
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
