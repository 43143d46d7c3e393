"""The value key this app adds to segmentation's metric catalogue: what the rewards a customer
redeemed in the window cost the company (registered in LoyaltyConfig.ready; segmentation never
imports this app). One set-based query over the window's redemptions, LEFT JOINed by the
recompute like every other query metric."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from segmentation.metrics import Metric, register_metric

# Points spent on rewards in the window × the programme's value of a point (the same basis as
# the overview's liability), in currency; a customer who redeemed nothing costs 0. A company
# without a programme has no redemptions, so every customer has 0.
REWARDS_REDEEMED_SQL = (
    "SELECT m.customer_id, sum(r.points) * p.point_value AS raw_value "
    "FROM loyalty_rewardredemption r "
    "JOIN loyalty_member m ON m.id = r.member_id "
    "JOIN loyalty_programme p ON p.tenant_id = r.tenant_id "
    "WHERE r.tenant_id = {tenant} AND r.created_at >= {since} AND r.created_at < {now} "
    "GROUP BY m.customer_id, p.point_value"
)


def register_loyalty_metrics() -> None:
    register_metric(
        Metric(
            key="rewards_redeemed",
            label=_("Rewards redeemed"),
            help_text=_(
                "What the rewards the customer redeemed in the window cost, in currency "
                "(points spent × the programme's value of a point); a cost — give it a "
                "negative weight."
            ),
            query=REWARDS_REDEEMED_SQL,
        )
    )
