"""manage.py import_customers --tenant <slug> file.csv — the browser import's code path."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from crm.models import Tenant
from customers.importing.decoding import ImportFileError
from customers.importing.service import import_local_file
from customers.models import ImportKind


class Command(BaseCommand):
    help = "Import customers from a CSV file into a tenant (idempotent by external id)."
    kind = ImportKind.CUSTOMERS

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's slug.")
        parser.add_argument("path", help="The CSV file.")

    def handle(self, *args, tenant: str, path: str, **options) -> None:
        try:
            tenant_obj = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist as exc:
            raise CommandError(f"No tenant {tenant!r}.") from exc
        with scope(tenant=tenant_obj):
            try:
                job = import_local_file(tenant=tenant_obj, kind=self.kind, path=path)
            except (ImportFileError, OSError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Import #{job.pk} {job.status}: {job.total_rows} rows, "
                f"{job.created_rows} created, {job.updated_rows} updated, "
                f"{job.unchanged_rows} unchanged, {job.rejected_rows} rejected; "
                f"statistics updated in {job.analyze_seconds or 0:.1f} s."
            )
            for rejection in job.rejections[:20]:
                self.stdout.write(f"  line {rejection['line']}: {'; '.join(rejection['errors'])}")
            if job.error:
                raise CommandError(job.error)
