"""Benchmark: the sales staff's customer screens with 1,000,000 customers in one tenant.

Target (issue 3): with a million customers (and ten million purchases) in the tenant, the
customer list's first page, a search by name and a filtered, sorted page each take under 150 ms
of server time, and a customer page with 500 purchases under 150 ms.

    .venv/bin/python bench/bench_customer_screens.py [--repeat 20] [--warmup 3] [--explain]

Server time is measured in-process with Django's test Client (middleware, session, tenancy,
view, queries and template rendering; no network), median and p95 over --repeat requests after
--warmup untimed ones. The tenant is generated once by customers.scale_data (about five minutes)
and reused. --explain prints each case's queries with their times and EXPLAIN ANALYZE of the
slowest, to see which query and index to blame when a target is missed.
Exit status: 0 when every median is under its target, 2 when one is missed.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal

from common import (
    argument_parser,
    bench_setup,
    measure,
    peak_rss_mb,
    scale_tenant_ensure,
)

TARGET_MS = 150
HEAVY_BUYER_PURCHASES = 500
HEAVY_BUYER_EXTERNAL_ID = "BENCH-500"


def heavy_buyer_ensure(tenant):
    """A customer with exactly 500 purchases (plus contacts and feedback) in the big tenant."""
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    from customers.models import Customer, Feedback, Interaction, Product, Transaction

    with scope(tenant=tenant):
        customer = Customer.objects.filter(
            tenant=tenant, external_id=HEAVY_BUYER_EXTERNAL_ID
        ).first()
        if customer is not None:
            return customer
        customer = Customer.objects.create(
            tenant=tenant,
            kind="company",
            company_name="Yıldız Gıda San. ve Tic. A.Ş.",
            email="satis@yildizgida.com.tr",
            phone="+905321234567",
            city="İzmir",
            region="Ege",
            industry="Gıda",
            lifecycle_stage="active",
            acquisition_channel="field_sales",
            acquired_on=timezone.localdate() - timedelta(days=1000),
            external_id=HEAVY_BUYER_EXTERNAL_ID,
        )
        products = list(Product.objects.filter(tenant=tenant).order_by("sku"))
        now = timezone.now()
        Transaction.objects.bulk_create(
            [
                Transaction(
                    tenant=tenant,
                    customer=customer,
                    occurred_at=now - timedelta(days=2 * number, hours=number % 7),
                    amount=Decimal("1000.00") + number,
                    cost=Decimal("650.00"),
                    product=products[number % len(products)],
                    category_id=products[number % len(products)].category_id,
                    channel="field",
                    due_date=(now - timedelta(days=2 * number - 30)).date(),
                    # paid 10 days before the due date, unless that is still to come
                    paid_date=(now - timedelta(days=2 * number - 20)).date()
                    if 2 * number >= 20
                    else None,
                    external_id=f"{HEAVY_BUYER_EXTERNAL_ID}-{number:03d}",
                )
                for number in range(HEAVY_BUYER_PURCHASES)
            ]
        )
        Interaction.objects.bulk_create(
            [
                Interaction(
                    tenant=tenant,
                    customer=customer,
                    channel="phone",
                    occurred_at=now - timedelta(days=5 * number),
                    subject="Sipariş takibi",
                )
                for number in range(60)
            ]
        )
        Feedback.objects.bulk_create(
            [
                Feedback(
                    tenant=tenant,
                    customer=customer,
                    kind="survey",
                    nps_score=9,
                    satisfaction_score=5,
                    status="resolved",
                    opened_at=now - timedelta(days=90 * number + 1),
                    resolved_at=now - timedelta(days=90 * number),
                )
                for number in range(8)
            ]
        )
        return customer


def bench_user(tenant):
    """A sales user of the tenant (the role that spends the day on these screens)."""
    from django.contrib.auth import get_user_model

    from crm.models import Membership, Role

    user, _created = get_user_model().objects.get_or_create(
        username="bench-satis", defaults={"first_name": "Elif", "last_name": "Güneş"}
    )
    Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": Role.SALES})
    return user


def scores_ensure(tenant, out=print) -> None:
    """Scores and tiers for the value columns: one recompute when the tenant has none."""
    from django.utils import timezone
    from django_scopes import scope

    from segmentation.models import CustomerScore
    from segmentation.services import scores_recompute

    with scope(tenant=tenant):
        if CustomerScore.objects.filter(tenant=tenant).exists():
            return
        out("Computing scores once (the value columns need them)...")
        scores_recompute(tenant=tenant, now=timezone.now())


def peak_tier_id(tenant) -> int:
    from django_scopes import scope

    from segmentation.models import Tier

    with scope(tenant=tenant):
        return (
            Tier.objects.filter(tenant=tenant).order_by("position").values_list("pk", flat=True)[0]
        )


def cases(tenant, customer) -> list[tuple[str, str, dict, dict]]:
    """(label, url, GET parameters, extra headers)."""
    from django.urls import reverse

    list_url = reverse("customers:list", kwargs={"tenant_slug": tenant.slug})
    detail_url = reverse(
        "customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": customer.pk}
    )
    home_url = reverse("tenant_home", kwargs={"tenant_slug": tenant.slug})
    htmx = {"HTTP_HX_REQUEST": "true"}
    return [
        ("list: first page", list_url, {}, {}),
        ("list: first page (htmx partial)", list_url, {}, htmx),
        ("list: page 40", list_url, {"page": "40"}, {}),
        ("search: common surname 'yılmaz'", list_url, {"q": "yılmaz"}, {}),
        ("search: partial first name 'ayş'", list_url, {"q": "ayş"}, {}),
        # First names cluster at one point of the name order (display names start with them):
        # the worst case for walking the name index, and late in the alphabet.
        ("search: first name 'zeynep'", list_url, {"q": "zeynep"}, {}),
        ("search: 'şahin' in capitals 'ŞAHİN'", list_url, {"q": "ŞAHİN"}, {}),
        ("search: first and last name 'mehmet öz'", list_url, {"q": "mehmet öz"}, {}),
        (
            "filter: region+stage, sort by name",
            list_url,
            {"region": "Marmara", "lifecycle_stage": "active"},
            {},
        ),
        (
            "filter: region+stage, sort Z-A",
            list_url,
            {"region": "Karadeniz", "lifecycle_stage": "at_risk", "sort": "-name"},
            {},
        ),
        (
            "filter: industry+consent, newest",
            list_url,
            {"industry": "Tekstil", "consent_sms": "true", "sort": "newest"},
            {},
        ),
        # The value columns (issue 8): sorts served by the activity table's indexes, the score
        # sort by CustomerScore's (tenant, score band) index and an incremental sort.
        ("sort: revenue (12 months)", list_url, {"sort": "-revenue"}, {}),
        ("sort: last purchase", list_url, {"sort": "-last_purchase"}, {}),
        ("sort: longest without contact", list_url, {"sort": "last_contact"}, {}),
        ("sort: score", list_url, {"sort": "-score"}, {}),
        ("filter: peak tier, by name", list_url, {"tier": str(peak_tier_id(tenant))}, {}),
        (
            "filter: peak tier + not contacted 60 days, by score",
            list_url,
            {"tier": str(peak_tier_id(tenant)), "quiet": "60", "sort": "-score"},
            {},
        ),
        ("home: the rep's agenda", home_url, {}, {}),
        ("customer page: 500 purchases", detail_url, {}, {}),
    ]


def database_share(client, url, params, headers) -> tuple[int, float, float]:
    """One request's query count, time spent in SQL and total time (ms): separates the
    database's share from Python's, which the shared machine's CPU load inflates most."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params, **headers)
    total_ms = (time.perf_counter() - started) * 1000
    database_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    return len(captured.captured_queries), database_ms, total_ms


def explain(client, tenant, url, params, headers) -> None:
    """Print the queries of one request, slowest first, and EXPLAIN ANALYZE the slowest, in the
    tenant's scope as the request ran it (outside it row-level security hides every row, and
    the plan shows rows=0)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    with CaptureQueriesContext(connection) as captured:
        client.get(url, params, **headers)
    queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    total = sum(float(q["time"]) for q in queries) * 1000
    print(f"    {len(queries)} queries, {total:.1f} ms in the database")
    for query in queries[:4]:
        print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
    slowest = queries[0]["sql"] if queries else ""
    if slowest.lstrip().upper().startswith("SELECT") and float(queries[0]["time"]) > 0.005:
        with scope(tenant=tenant), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
            for (line,) in cursor.fetchall():
                print(f"      {line}")


def main(argv: list[str]) -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--explain", action="store_true", help="show queries and plans")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--only", help="run only the cases whose label contains this text")
    options = parser.parse_args(argv)
    print(bench_setup())

    from django.test import Client

    started = time.monotonic()
    tenant = scale_tenant_ensure(customers=options.customers, transactions=options.transactions)
    customer = heavy_buyer_ensure(tenant)
    scores_ensure(tenant)
    print(f"Data ready in {time.monotonic() - started:.1f} s.")
    client = Client()
    client.force_login(bench_user(tenant))

    missed = []
    for label, url, params, headers in cases(tenant, customer):
        if options.only and options.only not in label:
            continue
        response = client.get(url, params, **headers)
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code} for {url} {params}")
            missed.append(label)
            continue
        queries, database_ms, first_ms = database_share(client, url, params, headers)
        # A pathological case (seconds per request) gets a few samples, not twenty.
        repeat = options.repeat if first_ms < 2000 else 3
        timing = measure(
            label,
            lambda url=url, params=params, headers=headers: client.get(url, params, **headers),
            repeat=repeat,
            warmup=options.warmup if first_ms < 2000 else 0,
        )
        print(
            f"{timing.line(target_ms=TARGET_MS)}  [{queries} queries, {database_ms:.0f} ms SQL]",
            flush=True,
        )
        if not timing.met(TARGET_MS):
            missed.append(label)
        if options.explain:
            explain(client, tenant, url, params, headers)
    print(f"Peak RSS of the benchmark process: {peak_rss_mb():.0f} MB")
    if missed:
        print(f"Missed: {', '.join(missed)}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
