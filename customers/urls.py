"""Customer URLs, under /<tenant_slug>/customers/."""

from django.urls import include, path

app_name = "customers"
urlpatterns: list = [
    # CSV import and export live in their own module (customers/exchange_urls.py).
    path("", include("customers.exchange_urls")),
]
