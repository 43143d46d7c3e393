"""Prediction: predicted lifetime value (BG/NBD + Gamma-Gamma), purchase propensity, next-best
products, and the review of relationships that cost more than they bring."""

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PredictionConfig(AppConfig):
    name = "prediction"
    verbose_name = _("Prediction")

    def ready(self) -> None:
        from crm.demo import DemoLoader, register_demo_loader
        from crm.models import Tenant
        from crm.navigation import MenuItem, register_menu_item
        from customers.panels import CustomerPanel, register_customer_panel
        from prediction import panels
        from prediction.demo import demo_predictions_load
        from prediction.metrics import register_prediction_metrics
        from prediction.segment_criteria import register_prediction_segment_criteria
        from prediction.signals import tenant_created

        post_save.connect(tenant_created, sender=Tenant, dispatch_uid="prediction_settings")
        register_prediction_metrics()
        register_prediction_segment_criteria()
        register_demo_loader(DemoLoader(key="predictions", load=demo_predictions_load, order=45))
        register_menu_item(
            MenuItem(
                label=_("Predictions"),
                url_name="prediction:list",
                permission="dashboard.view",
                order=210,
            )
        )
        register_menu_item(
            MenuItem(
                label=_("Relationship review"),
                url_name="prediction:review",
                permission="relationships.review",
                order=220,
            )
        )
        self._register_list_extensions()
        register_customer_panel(
            CustomerPanel(
                key="prediction",
                title=_("Predicted value"),
                template_name="prediction/_customer_panel.html",
                get_context=panels.customer_panel_context,
                permission="customers.view",
                column="side",
                order=30,
            )
        )

    def _register_list_extensions(self) -> None:
        """Propensity and predicted value on the customer list, sortable (managers)."""
        from customers.list_extensions import (
            ListColumn,
            ListSort,
            register_list_column,
            register_list_sort,
        )
        from prediction import list_cells, list_columns

        register_list_column(
            ListColumn(
                key="propensity",
                label=_("Propensity (30 days)"),
                render=list_cells.propensity_html,
                values=list_columns.predictions_by_customer,
                sort="-propensity",
                permission="dashboard.view",
                order=30,
            )
        )
        register_list_column(
            ListColumn(
                key="predicted_value",
                label=_("Predicted value"),
                render=list_cells.predicted_value_html,
                values=list_columns.predictions_by_customer,
                sort="-predicted_value",
                permission="dashboard.view",
                order=31,
            )
        )
        register_list_sort(
            ListSort(
                key="-propensity",
                label=_("Propensity (highest first)"),
                apply=list_columns.by_propensity,
                permission="dashboard.view",
                order=110,
            )
        )
        register_list_sort(
            ListSort(
                key="-predicted_value",
                label=_("Predicted value (highest first)"),
                apply=list_columns.by_predicted_value,
                permission="dashboard.view",
                order=111,
            )
        )
