"""Segmentation: value keys, lifetime-value scores, the customer pyramid and its tiers."""

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class SegmentationConfig(AppConfig):
    name = "segmentation"
    verbose_name = _("Segmentation")

    def ready(self) -> None:
        from crm.demo import DemoLoader, register_demo_loader
        from crm.home import HomeSection, register_home_section
        from crm.models import Tenant
        from crm.navigation import MenuItem, register_menu_item
        from customers.panels import CustomerPanel, register_customer_panel
        from segmentation import panels
        from segmentation.demo import demo_scores_load
        from segmentation.signals import tenant_created

        post_save.connect(tenant_created, sender=Tenant, dispatch_uid="segmentation_defaults")
        register_menu_item(
            MenuItem(
                label=_("Pyramid"),
                url_name="segmentation:pyramid",
                permission="dashboard.view",
                order=200,
            )
        )
        register_menu_item(
            MenuItem(
                label=_("Segments"),
                url_name="segmentation:segments",
                permission="segments.manage",
                order=210,
            )
        )
        register_home_section(
            HomeSection(
                key="segmentation_pyramid",
                template_name="segmentation/home/_pyramid.html",
                permission="dashboard.view",
                get_context=panels.home_pyramid_context,
                order=30,
            )
        )
        from segmentation.agenda import home_quiet_customers_context

        register_home_section(
            HomeSection(
                key="segmentation_quiet_customers",
                template_name="segmentation/home/_quiet_customers.html",
                permission="customers.view",
                get_context=home_quiet_customers_context,
                order=15,
            )
        )
        register_customer_panel(
            CustomerPanel(
                key="score",
                title=_("Score and tier"),
                template_name="segmentation/_customer_panel.html",
                get_context=panels.customer_panel_context,
                permission="customers.view",
                column="main",
                order=20,
            )
        )
        from segmentation.customer_header import customer_header_context

        register_customer_panel(
            CustomerPanel(
                key="importance",
                title=_("Tier and score"),
                template_name="segmentation/_customer_header.html",
                get_context=customer_header_context,
                permission="customers.view",
                column="header",
                order=10,
            )
        )
        register_demo_loader(DemoLoader(key="scores", load=demo_scores_load, order=50))
        self._register_list_extensions()

    def _register_list_extensions(self) -> None:
        """Tier and score on the customer list (customers/list_extensions.py)."""
        from customers.list_extensions import (
            ListBulkAction,
            ListColumn,
            ListFilter,
            ListSort,
            register_list_bulk_action,
            register_list_column,
            register_list_filter,
            register_list_sort,
        )
        from segmentation import list_actions, list_cells, list_columns

        # "Add to segment" on the list's selection: hand-picked members (managers, who manage
        # segments).
        register_list_bulk_action(
            ListBulkAction(
                key="segment",
                label=_("Add to segment"),
                field_label=_("Segment"),
                choices=list_actions.segment_choices,
                apply=list_actions.customers_add_to_segment,
                message=list_actions.added_message,
                permission="segments.manage",
            )
        )

        register_list_column(
            ListColumn(
                key="tier",
                label=_("Tier"),
                render=list_cells.tier_html,
                values=list_columns.scores_by_customer,
                on_card=True,
                order=10,
                export=list_columns.tier_cell,
            )
        )
        register_list_column(
            ListColumn(
                key="score",
                label=_("Score"),
                render=list_cells.score_html,
                values=list_columns.scores_by_customer,
                sort="-score",
                order=20,
                export=list_columns.score_cell,
            )
        )
        register_list_filter(
            ListFilter(
                key="tier",
                build=list_columns.tier_filter,
                order=10,
                name_order=list_columns.tier_name_order,
            )
        )
        # The dashboard's links (classes, level × dimension cells) and saved segments.
        # Filters whose choices are read from the database are the managers' (segments and
        # categories bought): the sales list keeps its query count.
        for order, (key, build, permission) in enumerate(
            [
                ("outside", list_columns.outside_filter, "customers.view"),
                ("customer_class", list_columns.class_filter, "customers.view"),
                ("growth_band", list_columns.growth_filter, "customers.view"),
                ("category_bought", list_columns.category_filter, "dashboard.view"),
                ("segment", list_columns.segment_filter, "segments.manage"),
            ],
            start=11,
        ):
            register_list_filter(
                ListFilter(key=key, build=build, permission=permission, order=order)
            )
        register_list_sort(
            ListSort(key="-score", label=_("Score (highest first)"), apply=list_columns.by_score)
        )
        register_list_sort(
            ListSort(
                key="score",
                label=_("Score (lowest first)"),
                apply=list_columns.by_score_ascending,
                order=101,
            )
        )
