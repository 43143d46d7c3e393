"""Benchmark: the web under load — locust against gunicorn serving the million-customer tenant.

Target (issue 13): 20 concurrent users for 60 s mixing the customer list, a search, a filtered
list, a customer page, the dashboard and logging a contact: p95 < 300 ms and 0 errors on this
2-core machine; then the same while the nightly recompute of that tenant runs (--with-recompute).

    .venv/bin/python bench/bench_load.py [--users 20] [--seconds 60] [--with-recompute]
        [--customers 1000000] [--workers 3] [--port 8791]

Three processes, so that locust's gevent never meets Django's database code: this script first
runs itself with --prepare (Django: the scale tenant, a manager, signed-in sessions, a sample of
customer ids), then starts gunicorn on the bench database, then drives it with locust as a
library. Per page: requests, requests per second, p50/p95/p99 and errors.
Exit status: 0 when p95 < 300 ms and no request failed, 2 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# The script's directory is first on sys.path; common imports Django only in bench_setup().
from common import machine_note

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
TARGET_P95_MS = 300
USERNAME = "bench-load-manager"
SEARCHES = ["yılmaz", "ayş", "ŞAHİN", "mehmet öz", "zeynep"]


def prepare(customers: int, users: int) -> dict:
    """Django side: the tenant, one manager, a session per simulated user, sample customers."""
    sys.path.insert(0, str(BENCH_DIR))
    from common import bench_setup, scale_tenant_ensure

    bench_setup()
    from common import as_owner
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from crm.models import Membership, Role
    from customers.models import Customer

    tenant = scale_tenant_ensure(customers=customers, transactions=customers * 10, out=_err)
    user, _created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Yük", "last_name": "Testi"}
    )
    Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.MANAGER})
    sessions = []
    for _ in range(users):
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    with as_owner():
        ids = list(
            Customer.objects.filter(tenant=tenant).order_by("?").values_list("pk", flat=True)[:500]
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    return {
        "slug": tenant.slug,
        "sessions": sessions,
        "customer_ids": ids,
        "database_url": os.environ["DATABASE_URL"],
        "session_cookie": settings.SESSION_COOKIE_NAME,
        # The database server's main process, whose children are every backend (CPU figures);
        # None when it is on another machine.
        "postmaster_pid": _parent_pid(backend),
    }


def _parent_pid(pid: int) -> int | None:
    """The postmaster of backend `pid`, if that backend runs on this machine: on another host
    the same number is some unrelated local process, or none."""
    import psutil

    try:
        backend = psutil.Process(pid)
        return backend.ppid() if backend.name() == "postgres" else None
    except psutil.Error:
        return None


class CpuUse:
    """CPU seconds used by the processes under test between start() and stop(), as cores (CPU
    seconds per second of the run): the machine's, gunicorn's, the database server's (and its
    busiest backend's: the recompute's when one runs), the recompute command's own process and
    the load generator's. A figure per group says who needed the cores a latency figure waited
    for; the README's analysis of the load with the recompute rests on them."""

    def __init__(self, *, server_pid: int, postmaster_pid: int | None, recompute_pid: int | None):
        # (pid, with its descendants): this process alone, since gunicorn and the recompute
        # command are its children.
        self.roots = {
            "gunicorn": (server_pid, True),
            "PostgreSQL": (postmaster_pid, True),
            "recompute command": (recompute_pid, True),
            "locust (this process)": (os.getpid(), False),
        }

    @staticmethod
    def _tree(pid: int | None, descendants: bool) -> dict[int, float]:
        """CPU seconds of the process and, with `descendants`, each of them, a reaped child's
        added to its parent's (the kernel's children times), so one that exits during the run
        still counts."""
        import psutil

        if pid is None:
            return {}
        try:
            root = psutil.Process(pid)
            members = [root, *root.children(recursive=True)] if descendants else [root]
        except psutil.Error:
            return {}
        seconds = {}
        for member in members:
            try:
                times = member.cpu_times()
            except psutil.Error:
                continue
            seconds[member.pid] = times.user + times.system
            if descendants:
                seconds[member.pid] += times.children_user + times.children_system
        return seconds

    def _snapshot(self) -> tuple[float, dict[str, dict[int, float]], float, float]:
        import psutil

        times = psutil.cpu_times()
        # What the kernel ran: not idle or I/O wait, nor the hypervisor's steal; guest time is
        # already inside user and nice.
        busy = sum(
            getattr(times, field, 0.0) for field in ("user", "nice", "system", "irq", "softirq")
        )
        return (
            time.monotonic(),
            {name: self._tree(*root) for name, root in self.roots.items()},
            busy,
            getattr(times, "steal", 0.0),
        )

    def start(self) -> None:
        self.before = self._snapshot()

    def stop(self) -> None:
        self.after = self._snapshot()

    def lines(self) -> list[str]:
        import psutil

        started, trees_before, busy_before, steal_before = self.before
        ended, trees_after, busy_after, steal_after = self.after
        wall = ended - started
        lines = [
            f"CPU used during the run, in cores: machine {(busy_after - busy_before) / wall:.2f} "
            f"of {psutil.cpu_count()} (taken by the hypervisor for other guests: "
            f"{(steal_after - steal_before) / wall:.2f})"
        ]
        for name, after in trees_after.items():
            before = trees_before[name]
            if not after:
                continue
            used = {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}
            line = f"  {name}: {sum(used.values()) / wall:.2f}"
            if name == "PostgreSQL" and self.roots["recompute command"][0] is not None:
                busiest = max(used.values(), default=0.0)
                line += f" (its busiest backend, the recompute's: {busiest / wall:.2f})"
            lines.append(line)
        return lines


def _err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def gunicorn_start(plan: dict, *, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": plan["database_url"],
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: the documented switches for an intranet without TLS.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crm.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        # Its own session, as a service is in production: with the kernel's autogroup on, CPU is
        # shared between sessions first, and the load generator (this process) should not take
        # its share from the server under test's.
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2):
                    return process
            except OSError:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not answer /healthz/ within 60 s")
    except BaseException:
        # Timed out, or Ctrl-C: in its own session it does not get the terminal's signal.
        process.kill()
        raise


def recompute_start(plan: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "recompute_scores", "--tenant", plan["slug"]],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": plan["database_url"]},
    )


def drive(plan: dict, *, port: int, users: int, seconds: int):
    """locust as a library (gevent is imported only here, in a process without Django).

    FastHttpUser (geventhttpclient) rather than HttpUser (requests): on a 2-core machine the load
    generator shares the CPU with gunicorn and PostgreSQL, and requests' per-call overhead is
    several times geventhttpclient's — CPU the server under test would otherwise not get.
    """
    import secrets
    from urllib.parse import urlencode

    import gevent
    from locust import between, task
    from locust.contrib.fasthttp import FastHttpUser
    from locust.env import Environment

    slug, sessions, ids = plan["slug"], list(plan["sessions"]), plan["customer_ids"]

    class Member(FastHttpUser):
        host = f"http://127.0.0.1:{port}"
        wait_time = between(0.5, 1.5)

        def on_start(self) -> None:
            # Django accepts its CSRF secret unmasked in the header, so each simulated user picks
            # one and sends it as both cookie and header, as a browser would after its first page.
            self.csrf_token = secrets.token_hex(16)
            self.cookie = (
                f"{plan['session_cookie']}={sessions.pop()}; django_language=tr; "
                f"csrftoken={self.csrf_token}"
            )

        def get(self, url: str, name: str) -> None:
            self.client.get(url, name=name, headers={"Cookie": self.cookie})

        @task(4)
        def customer_list(self) -> None:
            self.get(f"/{slug}/customers/", "list")

        @task(3)
        def search(self) -> None:
            self.get(f"/{slug}/customers/?q={random.choice(SEARCHES)}", "search")

        @task(2)
        def filtered_list(self) -> None:
            self.get(
                f"/{slug}/customers/?region=Marmara&lifecycle_stage=active",
                "filtered list",
            )

        @task(4)
        def customer_page(self) -> None:
            self.get(f"/{slug}/customers/{random.choice(ids)}/", "customer page")

        @task(1)
        def dashboard(self) -> None:
            self.get(f"/{slug}/scores/", "dashboard")

        @task(1)
        def log_contact(self) -> None:
            customer = random.choice(ids)
            self.client.post(
                f"/{slug}/customers/{customer}/contacts/",
                data=urlencode(
                    {
                        "contact-channel": "phone",
                        "contact-direction": "outbound",
                        "contact-occurred_at": time.strftime("%Y-%m-%dT%H:%M"),
                        "contact-outcome": "reached",
                        "contact-subject": "Yük testi araması",
                    }
                ),
                headers={
                    "Cookie": self.cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": self.csrf_token,
                    "HX-Request": "true",
                },
                name="log contact",
            )

    environment = Environment(user_classes=[Member])
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return environment.stats


def report(stats, seconds: int) -> bool:
    print(
        f"{'page':<16}{'requests':>9}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}"
    )
    met = True
    for entry in sorted(stats.entries.values(), key=lambda item: item.name):
        p95 = entry.get_response_time_percentile(0.95)
        print(
            f"{entry.name:<16}{entry.num_requests:>9}{entry.num_requests / seconds:>8.1f}"
            f"{entry.get_response_time_percentile(0.5):>8.0f}{p95:>8.0f}"
            f"{entry.get_response_time_percentile(0.99):>8.0f}{entry.num_failures:>8}"
        )
        met = met and entry.num_failures == 0
    total = stats.total
    p95 = total.get_response_time_percentile(0.95)
    print(
        f"{'all':<16}{total.num_requests:>9}{total.num_requests / seconds:>8.1f}"
        f"{total.get_response_time_percentile(0.5):>8.0f}{p95:>8.0f}"
        f"{total.get_response_time_percentile(0.99):>8.0f}{total.num_failures:>8}"
    )
    for error in stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} ×{error.occurrences}")
    return met and total.num_failures == 0 and p95 < TARGET_P95_MS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--with-recompute", action="store_true")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.prepare:
        print(json.dumps(prepare(options.customers, options.users)))
        return 0

    prepared = subprocess.run(
        [
            sys.executable,
            __file__,
            "--prepare",
            "--customers",
            str(options.customers),
            "--users",
            str(options.users),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    plan = json.loads(prepared.stdout.strip().splitlines()[-1])
    print(f"before: {machine_note()}")
    server = gunicorn_start(plan, port=options.port, workers=options.workers)
    recompute = recompute_start(plan) if options.with_recompute else None
    cpu = CpuUse(
        server_pid=server.pid,
        postmaster_pid=plan["postmaster_pid"],
        recompute_pid=recompute.pid if recompute else None,
    )
    cpu.start()
    try:
        print(
            f"{options.users} users for {options.seconds} s against gunicorn "
            f"({options.workers} workers), tenant /{plan['slug']}/"
            + (", nightly recompute running" if recompute else "")
        )
        stats = drive(plan, port=options.port, users=options.users, seconds=options.seconds)
        cpu.stop()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if recompute is not None:
        print(f"recompute {'still running' if recompute.poll() is None else 'finished'}")
        recompute.wait()
    met = report(stats, options.seconds)
    print("\n".join(cpu.lines()))
    print(f"after: {machine_note()}")
    print(f"target p95 < {TARGET_P95_MS} ms and 0 errors: {'met' if met else 'MISSED'}")
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
