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
        self._register_list_columns()
        from customers.activity import demo_activity_load, on_transactions_recorded
        from customers.events import register_transactions_recorded_handler

        register_transactions_recorded_handler(on_transactions_recorded)
        register_demo_loader(DemoLoader("customer_activity", demo_activity_load, order=15))

    def _register_list_columns(self) -> None:
        """The activity columns of the list, through the registry other apps use too."""
        from customers import activity, list_cells
        from customers.list_extensions import (
            ListColumn,
            ListFilter,
            ListSort,
            register_list_column,
            register_list_filter,
            register_list_sort,
        )

        columns = [
            (
                "revenue",
                _("Revenue (12 months)"),
                list_cells.revenue_html,
                "revenue_window",
                "-revenue",
                False,
                30,
            ),
            (
                "last_purchase",
                _("Last purchase"),
                list_cells.last_purchase_html,
                "last_purchase_at",
                "-last_purchase",
                False,
                40,
            ),
            (
                "last_contact",
                _("Last contact"),
                list_cells.last_contact_html,
                "last_contact_at",
                "-last_contact",
                True,
                50,
            ),
        ]
        for key, label, render, field, sort, on_card, order in columns:
            register_list_column(
                ListColumn(
                    key=key,
                    label=label,
                    render=render,
                    values=activity.activity_by_customer,
                    sort=sort,
                    on_card=on_card,
                    order=order,
                    export=activity.export_field(field),
                )
            )
        sorts = [
            ("-revenue", _("Revenue (highest first)"), activity.by_revenue),
            ("-last_purchase", _("Last purchase (newest first)"), activity.by_last_purchase),
            ("-last_contact", _("Last contact (newest first)"), activity.by_last_contact),
            ("last_contact", _("Longest without contact"), activity.by_longest_without_contact),
        ]
        for order, (key, label, apply) in enumerate(sorts, start=30):
            register_list_sort(ListSort(key=key, label=label, apply=apply, order=order))
        register_list_filter(ListFilter(key="quiet", build=activity.quiet_filter, order=30))
