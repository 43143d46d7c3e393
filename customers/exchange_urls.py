"""CSV import and export URLs (included from customers/urls.py)."""

from django.urls import path

from customers import exchange_views as views

urlpatterns: list = [
    path("imports/", views.import_list, name="imports"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/preview/", views.import_preview_page, name="import_preview"),
    path("imports/<int:job_id>/discard/", views.import_discard, name="import_discard"),
    path("imports/<int:job_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:job_id>/resume/", views.import_resume, name="import_resume"),
    path(
        "imports/<int:job_id>/rejected-rows.csv",
        views.import_rejections,
        name="import_rejections",
    ),
    path("imports/template/<slug:kind>.csv", views.import_template, name="import_template"),
    path("export.csv", views.export_customers, name="export"),
    path("transactions/export/", views.export_transactions_form, name="export_transactions_form"),
    path("transactions/export.csv", views.export_transactions, name="export_transactions"),
]
