"""Admin: tenant admins keep their own catalogue; customer data is read-only there."""

from django_scopes import scopes_disabled

from customers.models import Product
from tests.factories import ProductFactory


def test_tenant_admin_sees_only_their_products(admin_client_, tenant, other_tenant):
    ProductFactory(tenant=tenant, name="Defter A4")
    ProductFactory(tenant=other_tenant, name="Yabancı Ürün")
    admin_client_.get("/anadolu/configuration/")  # remember which tenant is configured
    html = admin_client_.get("/admin/customers/product/").content.decode()
    assert "Defter A4" in html
    assert "Yabancı Ürün" not in html


def test_tenant_admin_adds_a_product_to_their_tenant(admin_client_, tenant):
    category = ProductFactory(tenant=tenant).category
    admin_client_.get("/anadolu/configuration/")
    admin_client_.post(
        "/admin/customers/product/add/",
        {"name": "Kalem", "sku": "KLM-1", "category": category.pk, "is_active": "on"},
    )
    with scopes_disabled():
        assert Product.objects.get(sku="KLM-1").tenant == tenant


def test_customers_cannot_be_changed_in_the_admin(admin_client_, customer):
    admin_client_.get("/anadolu/configuration/")
    response = admin_client_.get(f"/admin/customers/customer/{customer.pk}/change/")
    assert 'name="first_name"' not in response.content.decode()


def test_sales_staff_cannot_open_the_catalogue_admin(sales_client):
    sales_client.get("/anadolu/")
    response = sales_client.get("/admin/customers/product/")
    assert response.status_code in (302, 403)
