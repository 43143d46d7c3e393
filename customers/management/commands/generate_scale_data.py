"""Fill a tenant with a large, realistic data set (set-based SQL), for benchmarks and load tests."""

from __future__ import annotations

import time
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from crm.models import Tenant
from crm.services import tenant_create
from customers.scale_data import default_size, scale_data_generate


class Command(BaseCommand):
    help = (
        "Add generated customers, purchases, contacts, feedback and consent records to a tenant "
        "(created if missing), e.g. --customers 1000000 --transactions 10000000."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant slug (created if missing).")
        parser.add_argument("--customers", type=int, default=10_000)
        parser.add_argument("--transactions", type=int, default=100_000)
        parser.add_argument(
            "--interactions", type=int, help="Contacts to log (default: 2 per customer)."
        )
        parser.add_argument(
            "--feedback", type=int, help="Feedback items (default: 1 per 5 customers)."
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, tenant: str, customers: int, transactions: int, **options) -> None:
        if customers < 1 or transactions < 0:
            raise CommandError("--customers must be at least 1 and --transactions at least 0.")
        given = {
            name: options[name]
            for name in ("interactions", "feedback")
            if options[name] is not None  # 0 is a size too
        }
        size = replace(default_size(customers=customers, transactions=transactions), **given)
        tenant_object = Tenant.objects.filter(slug=tenant).first()
        if tenant_object is None:
            tenant_object = tenant_create(name=tenant.replace("-", " ").title(), slug=tenant)
            self.stdout.write(f"Created tenant “{tenant}”.")
        started = time.monotonic()
        with scope(tenant=tenant_object):
            result = scale_data_generate(
                tenant=tenant_object, size=size, seed=options["seed"], log=self.stdout.write
            )
        for name, seconds in result.seconds.items():
            if ":" in name:  # index rebuilds and key checks, inside the steps above
                self.stdout.write(f"    {name}: {seconds:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s for /{tenant}/.")
        )
