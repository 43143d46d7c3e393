"""Customer URLs, under /<tenant_slug>/customers/."""

from django.urls import include, path

from customers import views

app_name = "customers"
urlpatterns: list = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("bulk/", views.customer_bulk_action, name="bulk_action"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("picker/", views.customer_picker, name="picker"),
    path("duplicates/", views.customer_duplicate_check, name="duplicate_check"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/archive/", views.customer_archive, name="archive"),
    path("<int:customer_id>/restore/", views.customer_restore, name="restore"),
    path("<int:customer_id>/timeline/", views.customer_timeline, name="timeline"),
    path("<int:customer_id>/contacts/", views.customer_log_contact, name="log_contact"),
    path("<int:customer_id>/sales/", views.customer_record_sale, name="record_sale"),
    path("<int:customer_id>/feedback/", views.customer_open_feedback, name="open_feedback"),
    path("<int:customer_id>/consent/", views.customer_record_consent, name="record_consent"),
    path("follow-ups/<int:contact_id>/done/", views.follow_up_done, name="follow_up_done"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<int:feedback_id>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:feedback_id>/update/", views.feedback_update, name="feedback_update"),
    path("feedback/<int:feedback_id>/resolve/", views.feedback_resolve, name="feedback_resolve"),
    # CSV import and export live in their own module (customers/exchange_urls.py).
    path("", include("customers.exchange_urls")),
]
