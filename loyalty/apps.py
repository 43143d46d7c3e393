"""Loyalty: points ledger, tier benefits, rewards, coupons and cashback."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from crm.demo import DemoLoader, register_demo_loader
        from crm.navigation import MenuItem, register_menu_item
        from customers.events import register_transactions_recorded_handler
        from customers.panels import CustomerPanel, register_customer_panel
        from loyalty import panels
        from loyalty.demo import demo_loyalty_load
        from loyalty.handlers import earn_on_recorded
        from loyalty.metrics import register_loyalty_metrics

        register_transactions_recorded_handler(earn_on_recorded)
        register_loyalty_metrics()
        register_customer_panel(
            CustomerPanel(
                key="loyalty",
                title=_("Loyalty points"),
                template_name="loyalty/_customer_panel.html",
                get_context=panels.customer_panel_context,
                permission="loyalty.view",
                column="side",
                order=30,
            )
        )
        register_menu_item(
            MenuItem(
                label=_("Loyalty"),
                url_name="loyalty:overview",
                permission="loyalty.overview",
                order=250,
            )
        )
        register_demo_loader(DemoLoader(key="loyalty", load=demo_loyalty_load, order=60))
