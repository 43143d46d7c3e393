"""Demo data: score the demo tenant's customers once its customer data is in (order 50)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from crm.models import Tenant
from segmentation.models import RunTrigger
from segmentation.services import scores_recompute


def demo_scores_load(*, tenant: Tenant, size: str) -> str:
    run = scores_recompute(tenant=tenant, trigger=RunTrigger.DEMO)
    return _("Scores: %(count)s customers scored (%(status)s).") % {
        "count": run.customers_scored,
        "status": run.get_status_display(),
    }
