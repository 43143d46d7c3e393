"""The demo loader: leads at every stage on the demo company's prospects, buyers converted at
their first purchase, costs, and a summary for the report."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django_scopes import scope, scopes_disabled

from acquisition.demo import demo_acquisition_load
from acquisition.models import AcquisitionCost, Lead, SummaryRun
from crm.demo import demo_loaders
from customers.demo import load_demo_data

pytestmark = pytest.mark.django_db


def test_the_loader_runs_after_the_scores():
    keys = [loader.key for loader in demo_loaders()]
    assert keys.index("acquisition") > keys.index("scores")


def test_demo_leads_costs_and_summary(tenant, sales_user):
    with scope(tenant=tenant):
        load_demo_data(tenant=tenant, size="small")
        line = demo_acquisition_load(tenant=tenant, size="small")
        again = demo_acquisition_load(tenant=tenant, size="small")
    with scopes_disabled():
        statuses = dict(
            Lead.objects.filter(tenant=tenant).values_list("status").annotate(n=Count("id"))
        )
        won_prospects = Lead.objects.filter(
            tenant=tenant, status="won", customer__lifecycle_stage="prospect"
        ).count()
        assert AcquisitionCost.objects.filter(tenant=tenant).count() == 18 * 5
        assert SummaryRun.objects.filter(tenant=tenant).count() == 1
    assert line.startswith("Acquisition:")
    assert statuses.get("new", 0) > 0 and statuses.get("won", 0) > 0
    assert won_prospects == 0
    # Loading again (demo_setup --reload) keeps one lead per customer and one cost per month.
    assert again.startswith("Acquisition:")
