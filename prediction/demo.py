"""Demo data: predict the demo tenant's customers once its purchases are in (order 45, before
the scores of order 50 so that value keys built on predictions have them), then fill the
next-best products and the relationship review, as the nightly step does."""

from __future__ import annotations

from django.utils.translation import gettext as _

from crm.models import Tenant
from prediction.models import PredictionTrigger
from prediction.services.predict import predictions_run
from prediction.services.review import relationship_review_refresh
from prediction.services.suggestions import suggestions_refresh


def demo_predictions_load(*, tenant: Tenant, size: str) -> str:
    """The small demo has about 230 repeat buyers (the default minimum is 200), so its
    customers get predictions and next best products; the review is filled too."""
    run = predictions_run(tenant=tenant, live=True, trigger=PredictionTrigger.DEMO)
    suggestions_refresh(tenant=tenant)
    flagged = relationship_review_refresh(tenant=tenant)
    return _(
        "Predictions: %(count)s customers predicted (%(status)s); %(flagged)s flagged for review."
    ) % {
        "count": run.customers,
        "status": run.get_status_display(),
        "flagged": flagged,
    }
