"""Loyalty: points ledger, tier benefits, rewards, coupons and cashback."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from customers.events import register_transactions_recorded_handler
        from loyalty.handlers import earn_on_recorded

        register_transactions_recorded_handler(earn_on_recorded)
