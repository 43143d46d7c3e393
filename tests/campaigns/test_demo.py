"""The demo loader: four campaigns made through the services — a finished one with sent
emails, clicks, coupon codes and a control group; a running call campaign with calls logged;
a draft; a birthday trigger — and nothing made twice on a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope, scopes_disabled

from campaigns.demo import BIRTHDAY, CALLING, DRAFT, FINISHED
from campaigns.models import Campaign, Recipient
from campaigns.results import campaign_results
from crm.demo import demo_loaders, run_demo_loaders

pytestmark = pytest.mark.django_db


def test_the_loader_runs_after_the_scores_and_before_the_leads():
    orders = {loader.key: loader.order for loader in demo_loaders()}
    assert orders["scores"] < orders["campaigns"] < orders["acquisition"]


def test_demo_campaigns_in_every_state_with_results(tenant, manager_user, sales_user):
    with scope(tenant=tenant):
        run_demo_loaders(tenant=tenant, size="small")
        run_demo_loaders(tenant=tenant, size="small")  # --reload: no second set

    with scopes_disabled():
        status = dict(Campaign.objects.filter(tenant=tenant).values_list("name", "status"))
        assert status == {FINISHED: "finished", CALLING: "running", DRAFT: "draft",
                          BIRTHDAY: "running"}  # fmt: skip
        finished = Campaign.objects.get(tenant=tenant, name=FINISHED)
        recipients = Recipient.objects.filter(campaign=finished)
        assert recipients.filter(group="control").exists()
        sent = recipients.filter(status="sent")
        assert sent.exists()
        assert not sent.filter(coupon__isnull=True).exists()
        assert sent.filter(clicked_at__isnull=False).count() == (sent.count() + 2) // 3
        # Sent two hours after the start (a date comparison failed from 22:00 UTC).
        assert {r.sent_at for r in sent} == {finished.started_at + timedelta(hours=2)}
        calls = Recipient.objects.filter(campaign__name=CALLING, tenant=tenant)
        assert calls.filter(status="sent", called_by=sales_user).count() == 3
        assert calls.filter(status="queued").exists()
        assert Campaign.objects.get(tenant=tenant, name=FINISHED).owner == manager_user
    with scope(tenant=tenant):
        result = campaign_results(tenant=tenant, campaign_ids=[finished.pk])[finished.pk]
    assert result.target.members > 0 and result.control.members > 0
    assert result.target.clicked > 0
    assert result.target.converted > 0  # the demo's purchases in the 30 days after the start
