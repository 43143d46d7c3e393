"""A URLconf for the admin tests: the real URLs plus a second admin site that registers a
tenant-owned model with a foreign key to another tenant-owned model (Product → category), so
foreign-key choices can be checked before the apps ship their own admins."""

from __future__ import annotations

from django.urls import path

from crm.admin_site import TenantAdminSite
from crm.tenancy.admin import TenantScopedAdmin
from crm.urls import urlpatterns as crm_urlpatterns
from customers.models import Product, ProductCategory

catalogue_site = TenantAdminSite(name="catalogue_admin")


class ProductAdmin(TenantScopedAdmin):
    list_display = ("name", "sku", "category")
    list_filter = ("category",)
    fields = ("name", "sku", "category", "list_price", "is_active")


catalogue_site.register(Product, ProductAdmin)
catalogue_site.register(ProductCategory, TenantScopedAdmin)

urlpatterns = [path("catalogue-admin/", catalogue_site.urls), *crm_urlpatterns]
