"""manage.py export_customers --tenant <slug> [-o file.csv] [--filter lifecycle_stage=active]"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from crm.models import Tenant
from customers.exporting import customer_export_lines


class Command(BaseCommand):
    help = (
        "Export a tenant's customers as CSV (UTF-8 with BOM), with the customer list's filters "
        "given as --filter name=value (e.g. lifecycle_stage=active, region=Ege, q=yılmaz)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's slug.")
        parser.add_argument("-o", "--output", help="File to write; standard output if omitted.")
        parser.add_argument(
            "--format",
            choices=["semicolon", "comma"],
            default="semicolon",
            help="semicolon: Turkish Excel (1234,56; dd.mm.yyyy); comma: 1234.56, yyyy-mm-dd.",
        )
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE")

    def handle(self, *args, tenant: str, output: str | None, format: str, **options) -> None:
        try:
            tenant_obj = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist as exc:
            raise CommandError(f"No tenant {tenant!r}.") from exc
        params = QueryDict(mutable=True)
        for item in options["filter"]:
            name, separator, value = item.partition("=")
            if not separator:
                raise CommandError(f"--filter takes NAME=VALUE, not {item!r}.")
            params.appendlist(name, value)
        # Audited like the page's export, with no user: the operator ran it.
        lines = customer_export_lines(
            tenant=tenant_obj, actor=None, params=params, turkish_excel=format == "semicolon"
        )
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                out.writelines(lines)
        else:
            sys.stdout.reconfigure(newline="")  # the CSV lines carry their own CRLF
            sys.stdout.writelines(lines)
