"""A recompute worker in a process of its own, for the fault tests: it recomputes one tenant's
queued run with a deliberately slow value key, so a test can SIGKILL it mid-run.

    python tests/segmentation/recompute_worker.py <tenant id> <run id> <seconds>

DATABASE_URL names the test database. Not a test module (no test_ prefix).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


def main(tenant_id: int, run_id: int, seconds: float) -> None:
    import django

    django.setup()
    from django_scopes import scope

    from crm.models import Tenant
    from segmentation.metrics import Metric, register_metric
    from segmentation.services import scores_recompute

    register_metric(
        Metric(
            key="slow",
            label="Slow",
            help_text="",
            query="SELECT c.id AS customer_id, 1 AS raw_value FROM customers_customer c, "
            f"pg_sleep({seconds}) WHERE c.tenant_id = {{tenant}}",
        )
    )
    tenant = Tenant.objects.get(pk=tenant_id)
    with scope(tenant=tenant):  # as the Celery task does (crm.tasks.TenantTask)
        scores_recompute(tenant=tenant, run_id=run_id)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
