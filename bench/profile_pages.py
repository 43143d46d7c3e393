"""Profile: the Python cost of the six pages bench_load.py mixes, in-process (no network).

Per page, the process CPU time per request (time.process_time around --repeat requests after
--warmup untimed ones; the database's own CPU is in its backend, not counted) and the number of
Python function calls cProfile counts for one request (deterministic, unlike timings on a shared
machine). --top N prints each page's N costliest functions by own time and by cumulative time.

    .venv/bin/python bench/profile_pages.py [--repeat 30] [--warmup 3] [--top 0] [--only list,...]

Settings as bench_load.py's gunicorn: DEBUG=0, plain static storage. The pages are those of the
million-customer tenant "bench" (bench_load.py --prepare creates its manager), signed in as
bench_load.py's manager; the contact POST adds a contact to a sampled customer, as the load does.
The calls are counted on a fixed request per page (the search "yılmaz", a customer no contact
is posted to).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import sys
import time

from common import argument_parser, as_owner, bench_setup

USERNAME = "bench-load-manager"
SEARCHES = ["yılmaz", "ayş", "ŞAHİN", "mehmet öz", "zeynep"]


def main() -> int:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=0, help="costliest functions per page")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--dump", default="", help="write each page's profile to DUMP.<page>.prof")
    options = parser.parse_args()
    bench_setup(migrate=False)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from crm.models import Membership, Role, Tenant
    from customers.models import Customer

    tenant = Tenant.objects.get(slug=options.slug)
    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.MANAGER})
    with as_owner():
        ids = list(
            Customer.objects.filter(tenant=tenant, archived_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:2000:10]
        )
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "tr"
    client.cookies["csrftoken"] = csrf = "a" * 32
    slug = tenant.slug
    rng = random.Random(13)

    def post_contact():
        return client.post(
            f"/{slug}/customers/{rng.choice(ids[1:])}/contacts/",
            {
                "contact-channel": "phone",
                "contact-direction": "outbound",
                "contact-occurred_at": time.strftime("%Y-%m-%dT%H:%M"),
                "contact-outcome": "reached",
                "contact-subject": "Yük testi araması",
            },
            headers={"X-CSRFToken": csrf, "HX-Request": "true"},
        )

    pages = {
        "list": lambda: client.get(f"/{slug}/customers/"),
        "search": lambda: client.get(f"/{slug}/customers/", {"q": rng.choice(SEARCHES)}),
        "search profiled": lambda: client.get(f"/{slug}/customers/", {"q": "yılmaz"}),
        "filtered": lambda: client.get(f"/{slug}/customers/?region=Marmara&lifecycle_stage=active"),
        "customer": lambda: client.get(f"/{slug}/customers/{rng.choice(ids)}/"),
        # The one that is profiled: the contact posts leave it alone, its timeline stays.
        "customer profiled": lambda: client.get(f"/{slug}/customers/{ids[0]}/"),
        "dashboard": lambda: client.get(f"/{slug}/scores/"),
        "contact": post_contact,
    }
    only = [name for name in options.only.split(",") if name]
    print(f"{'page':<10}{'cpu ms/req':>11}{'wall ms/req':>12}{'calls':>9}")
    for name, request in pages.items():
        if only and name not in only:
            continue
        if name.endswith(" profiled"):
            continue
        profiled = pages.get(f"{name} profiled", request)
        for _ in range(options.warmup):
            response = request()
            assert response.status_code == 200, (name, response.status_code)
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for _ in range(options.repeat):
            request()
        cpu_ms = (time.process_time() - started_cpu) * 1000 / options.repeat
        wall_ms = (time.perf_counter() - started_wall) * 1000 / options.repeat
        profile = cProfile.Profile()
        profile.enable()
        response = profiled()
        profile.disable()
        assert response.status_code == 200, (name, response.status_code)
        stats = pstats.Stats(profile)
        print(f"{name:<10}{cpu_ms:>11.1f}{wall_ms:>12.1f}{stats.total_calls:>9}", flush=True)
        if options.dump:
            stats.dump_stats(f"{options.dump}.{name}.prof")
        if options.top:
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats(order).print_stats(options.top)
                print(out.getvalue(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
