"""Acquisition and e-CRM: leads, what each channel costs, and the customer's preference page."""

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AcquisitionConfig(AppConfig):
    name = "acquisition"
    verbose_name = _("Acquisition")

    def ready(self) -> None:
        from acquisition import panels
        from acquisition.demo import demo_acquisition_load
        from acquisition.hooks import convert_on_purchase
        from crm.demo import DemoLoader, register_demo_loader
        from crm.home import HomeSection, register_home_section
        from crm.navigation import MenuItem, register_menu_item
        from customers.events import register_transactions_recorded_handler
        from customers.panels import CustomerPanel, register_customer_panel

        register_menu_item(MenuItem(_("Leads"), "acquisition:board", "leads.view", order=15))
        register_menu_item(
            MenuItem(
                label=_("Acquisition"),
                url_name="acquisition:report",
                permission="reports.view",
                order=210,
            )
        )
        register_transactions_recorded_handler(convert_on_purchase)
        register_home_section(
            HomeSection(
                key="acquisition.next_steps",
                template_name="acquisition/home/_next_steps.html",
                permission="leads.view",
                get_context=panels.home_leads_context,
                order=12,
            )
        )
        register_demo_loader(DemoLoader(key="acquisition", load=demo_acquisition_load, order=60))
        if apps.is_installed("loyalty"):
            from acquisition.loyalty_section import loyalty_preference_context
            from acquisition.preference_sections import (
                PreferenceSection,
                register_preference_section,
            )

            register_preference_section(
                PreferenceSection(
                    key="loyalty",
                    template_name="acquisition/public/_loyalty.html",
                    get_context=loyalty_preference_context,
                    order=10,
                )
            )
        register_customer_panel(
            CustomerPanel(
                key="lead",
                title=_("Lead and preferences"),
                template_name="acquisition/_customer_panel.html",
                get_context=panels.customer_panel_context,
                permission="customers.view",
                column="side",
                order=30,
            )
        )
