"""Campaigns: registers its menu items, its entries on the customer's timeline, its panel on
the customer page and its demo loader."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from campaigns import panels
        from campaigns.demo import demo_campaigns_load
        from crm.demo import DemoLoader, register_demo_loader
        from crm.navigation import MenuItem, register_menu_item
        from customers.panels import CustomerPanel, register_customer_panel
        from customers.timeline import TimelineSource, register_timeline_source

        register_demo_loader(DemoLoader(key="campaigns", load=demo_campaigns_load, order=55))
        register_menu_item(
            MenuItem(_("Campaigns"), "campaigns:list", "campaigns.manage", order=300)
        )
        register_menu_item(MenuItem(_("Call list"), "campaigns:calls", "campaigns.call", order=30))
        register_timeline_source(
            TimelineSource(
                kind="campaign",
                date_field="created_at",
                get_queryset=panels.customer_contacts,
                template_name="campaigns/_timeline_entry.html",
            )
        )
        register_customer_panel(
            CustomerPanel(
                key="campaigns",
                title=_("Campaign messages"),
                template_name="campaigns/_customer_panel.html",
                get_context=panels.customer_panel_context,
                permission="customers.view",
                column="side",
                order=60,
            )
        )
