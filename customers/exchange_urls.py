"""CSV import and export URLs (included from customers/urls.py)."""

urlpatterns: list = []
