"""A tenant page that forgets its scope on purpose (tests/crm/test_rls.py): it lists customers
through an unscoped queryset and raw SQL, so only row-level security can keep it to its tenant."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from customers.models import Customer


def unscoped_customers(request: HttpRequest, tenant_slug: str) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tenant_id FROM customers_customer ORDER BY 1")
        raw_tenants = [tenant_id for (tenant_id,) in cursor.fetchall()]
    orm_tenants = sorted(
        set(Customer.objects.with_scopes_disabled().values_list("tenant_id", flat=True))
    )
    return JsonResponse({"raw": raw_tenants, "orm": orm_tenants})


urlpatterns = [path("<slug:tenant_slug>/rls-probe/", unscoped_customers)]
