"""The customers app: menu items and the sales staff's home-page section are registered here."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from crm.home import HomeSection, register_home_section
        from crm.navigation import MenuItem, register_menu_item
        from customers.home import sales_home_context

        register_menu_item(MenuItem(_("Customers"), "customers:list", "customers.view", order=10))
        register_menu_item(
            MenuItem(_("Feedback"), "customers:feedback_list", "customers.view", order=20)
        )
        register_home_section(
            HomeSection(
                key="customers.sales",
                template_name="customers/home/_sales_section.html",
                permission="customers.view",
                get_context=sales_home_context,
                order=10,
            )
        )
        # Other registrations (import/export, demo data) follow, one line per helper:
        from crm.demo import DemoLoader, register_demo_loader
        from customers.demo import load_demo_data

        register_demo_loader(DemoLoader("customers", load_demo_data, order=10))
        register_menu_item(
            MenuItem(_("Data exchange"), "customers:imports", "customers.import", order=90)
        )
