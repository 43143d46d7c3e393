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
        register_home_section(
            HomeSection(
                key="segmentation_pyramid",
                template_name="segmentation/home/_pyramid.html",
                permission="dashboard.view",
                get_context=panels.home_pyramid_context,
                order=30,
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
        register_demo_loader(DemoLoader(key="scores", load=demo_scores_load, order=50))
