"""Recompute scores now, synchronously: `manage.py recompute_scores --tenant <slug> | --all`.

`--as-of 1998-06-30` computes them as at the end of that day and keeps nothing (it prints the
tiers' counts); add `--live` to make that run's scores the live ones."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django_scopes import scope

from crm.models import Tenant
from segmentation.models import RunStatus, RunTrigger
from segmentation.services import scores_recompute
from segmentation.services.recompute import run_error_text


class Command(BaseCommand):
    help = "Recompute customer scores and tiers for one tenant or for every active tenant."

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--tenant", help="Tenant slug.")
        target.add_argument("--all", action="store_true", help="Every active tenant.")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help=(
                "Score as at the end of this day (YYYY-MM-DD); kept only with --live. Value keys "
                "read from stored predictions count only predictions made for this day or "
                "earlier: with today's live predictions, those keys give no value to anyone."
            ),
        )
        parser.add_argument(
            "--live", action="store_true", help="With --as-of: replace the live scores."
        )

    def handle(
        self,
        *args,
        tenant: str | None,
        all: bool,
        as_of: date | None = None,
        live: bool = False,
        **options,
    ) -> None:
        if live and as_of is None:
            raise CommandError("--live needs --as-of.")
        if all:
            tenants = list(Tenant.objects.filter(is_active=True).order_by("slug"))
        else:
            tenants = list(Tenant.objects.filter(slug=tenant))
            if not tenants:
                raise CommandError(f"No tenant with the slug {tenant!r}.")
        failed = 0
        for each in tenants:
            with scope(tenant=each):
                try:
                    run = scores_recompute(
                        tenant=each,
                        trigger=RunTrigger.COMMAND,
                        as_of=as_of,
                        live=True if as_of is None else live,
                    )
                except OperationalError as exc:  # recorded on the run; one line here
                    failed += 1
                    self.stderr.write(f"{each.slug}: {run_error_text(exc)}")
                    continue
            line = (
                f"{each.slug}: {run.get_status_display()} — {run.customers_scored} scored, "
                f"{run.tier_changes} tier changes, {run.seconds.get('total', 0):.1f} s"
            )
            if as_of is not None and not live:
                line += f" (as of {as_of}, not kept: {run.tier_counts})"
            if run.status == RunStatus.FAILED:
                failed += 1
                self.stderr.write(f"{line}: {run.error}")
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} recompute(s) failed.")
