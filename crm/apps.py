"""App configs for the core: the tenancy models and the tenant-aware admin site."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Tenancy and access")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from crm.navigation import MenuItem, register_menu_item
        from crm.rls import post_migrate_handler

        # After every migrate: the app role, its grants and a policy on every tenant table.
        post_migrate.connect(post_migrate_handler, sender=self)

        register_menu_item(
            MenuItem(
                label=_("Members"), url_name="member_list", permission="members.manage", order=900
            )
        )


class CrmAdminConfig(AdminConfig):
    default_site = "crm.admin_site.TenantAdminSite"
