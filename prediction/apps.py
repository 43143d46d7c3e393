"""Prediction: predicted lifetime value (BG/NBD + Gamma-Gamma), purchase propensity, next-best
products, and the review of relationships that cost more than they bring."""

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PredictionConfig(AppConfig):
    name = "prediction"
    verbose_name = _("Prediction")

    def ready(self) -> None:
        from crm.models import Tenant
        from crm.navigation import MenuItem, register_menu_item
        from customers.panels import CustomerPanel, register_customer_panel
        from prediction import panels
        from prediction.metrics import register_prediction_metrics
        from prediction.signals import tenant_created

        post_save.connect(tenant_created, sender=Tenant, dispatch_uid="prediction_settings")
        register_prediction_metrics()
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
