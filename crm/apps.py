"""App configs for the core: the tenancy models and the tenant-aware admin site."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Tenancy and access")


class CrmAdminConfig(AdminConfig):
    default_site = "crm.admin_site.TenantAdminSite"
