"""Shared helpers for the benchmarks: a bench database (never the development one), Django set up
against it, timing with median/p95, peak memory, and the million-customer tenant.

Every bench script starts with::

    from common import bench_setup          # bench/ is the script's directory
    bench_setup()                            # before importing models

`bench_setup()` points Django at $DATABASE_URL when given, otherwise at the database
`crm_bench` on the embedded PostgreSQL (created and migrated on first use).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "crm_bench"
SCALE_TENANT = "bench"
SCALE_CUSTOMERS = 1_000_000
SCALE_TRANSACTIONS = 10_000_000

if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


def _embedded_bench_url(database: str) -> str:
    """Start (or reuse) the embedded server, create the bench database if missing, return its
    URL. django-environ passes `?host=` through to libpq, which is how a socket dir is given."""
    import psycopg

    from crm.embedded_postgres import embedded_database_settings

    server = embedded_database_settings()
    socket_dir = server["HOST"]
    with psycopg.connect(
        host=socket_dir, user=server["USER"], dbname=server["NAME"], autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')
    return f"postgres://{server['USER']}@/{database}?host={socket_dir}"


def bench_setup(*, migrate: bool = True, database: str = BENCH_DATABASE) -> str:
    """Configure and set up Django on the bench database (`database` on the embedded server);
    return a printable description."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _embedded_bench_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    os.environ.setdefault("DEBUG", "0")
    # The test client speaks plain HTTP; production's HTTPS redirect would answer every page 301.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    # Plain static storage: the hashed manifest needs collectstatic, and its lookup is a dict
    # access that costs nothing measurable.
    os.environ.setdefault(
        "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The test client's host; set here instead of setup_test_environment(), whose template
    # instrumentation would add its own cost to every timed page.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    database = settings.DATABASES["default"]
    return f"database {database['NAME']} on {database['HOST'] or database['OPTIONS'].get('host')}"


# --- timing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    name: str
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def met(self, target_ms: float) -> bool:
        return self.median < target_ms

    def line(self, *, target_ms: float | None = None) -> str:
        verdict = ""
        if target_ms is not None:  # judged on the median: the machine is shared and noisy
            verdict = "  OK" if self.met(target_ms) else f"  MISSED (target {target_ms:.0f} ms)"
        return (
            f"{self.name:<48} median {self.median:7.1f} ms   p95 {self.p95:7.1f} ms   "
            f"min {min(self.samples_ms):7.1f}   max {max(self.samples_ms):7.1f}   "
            f"n={len(self.samples_ms)}{verdict}"
        )


def measure(
    name: str, action: Callable[[], object], *, repeat: int = 20, warmup: int = 3
) -> Timing:
    """Run `action` warmup times untimed, then `repeat` times timed (wall clock, in ms)."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(name, samples)


@contextmanager
def stopwatch(label: str, *, out: Callable[[str], object] = print) -> Iterator[dict[str, float]]:
    """Time a block; prints "label: 1.23 s" and leaves the seconds in the yielded dict."""
    result: dict[str, float] = {}
    started = time.perf_counter()
    yield result
    result["seconds"] = time.perf_counter() - started
    out(f"{label}: {result['seconds']:.2f} s")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def machine_note() -> str:
    """How fast this machine's CPU is right now and how it shares it, to read the figures by.

    The same kind of machine has been seen 2x faster or slower from one session to the next and
    within an hour (a shared host), so a figure means little without this. The loop is the one
    the README quotes: `python3 -c` adding 10 million numbers (0.8 s in a fast hour, 1.3-1.5 s
    in a slow one). With the kernel's autogroup on, CPU is shared between sessions before
    processes: every PostgreSQL backend (the nightly recompute and the web's own queries) is in
    the postmaster's session and gets one share, the web server another."""
    started = time.process_time()
    # At module level, as `python3 -c` runs it (global names: about twice a function's time).
    exec("total = 0\nfor step in range(10_000_000):\n    total += step", {})
    loop = time.process_time() - started
    try:
        autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip()
    except OSError:
        autogroup = "unknown"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"CPU: a 10M-step Python loop took {loop:.2f} s; load average {load}; "
        f"kernel.sched_autogroup_enabled={autogroup}"
    )


# --- the big tenant -------------------------------------------------------------------------


def scale_tenant_ensure(
    *,
    slug: str = SCALE_TENANT,
    customers: int = SCALE_CUSTOMERS,
    transactions: int = SCALE_TRANSACTIONS,
    out: Callable[[str], object] = print,
):
    """The tenant with `customers` customers and `transactions` purchases, generated once with
    customers.scale_data and reused afterwards (generating 1M/10M takes a few minutes)."""
    from django_scopes import scope

    from crm.models import Tenant
    from crm.services import tenant_create
    from customers.models import Customer
    from customers.scale_data import default_size, scale_data_generate

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = tenant_create(name="Bench Ticaret A.Ş.", slug=slug)
    with as_owner():
        have = Customer.objects.filter(tenant=tenant).count()
    if have >= customers:
        out(f"Reusing tenant /{slug}/ with {have:,} customers.")
        return tenant
    out(f"Generating {customers - have:,} customers and their purchases in /{slug}/ (once)...")
    with scope(tenant=tenant):
        scale_data_generate(
            tenant=tenant,
            size=default_size(
                customers=customers - have,
                transactions=round(transactions * (customers - have) / customers),
            ),
            log=lambda line: out(f"  {line}"),
        )
    return tenant


@contextmanager
def as_owner() -> Iterator[None]:
    """Bench set-up (generating, clearing, ANALYZE and VACUUM) as the tables' owner with the
    scopes off; what a bench times runs as the app does, in its tenant's scope (crm/rls.py)."""
    from django_scopes import scopes_disabled

    from crm.rls import owner_mode

    with owner_mode(), scopes_disabled():
        yield


def argument_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per case first")
    return parser
