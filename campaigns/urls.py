"""Campaign URLs, under /<tenant_slug>/campaigns/."""

from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns: list = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("rules/", views.contact_rules, name="rules"),
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:recipient_id>/", views.call_log, name="call_log"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/letters.csv", views.mail_export, name="mail_export"),
    path("<int:campaign_id>/sms-outbox.csv", views.sms_outbox_export, name="sms_outbox_export"),
    path("<int:campaign_id>/<slug:action>/", views.campaign_action, name="action"),
    path(
        "customers/<int:customer_id>/do-not-contact/",
        views.suppression_add,
        name="suppression_add",
    ),
    path(
        "customers/<int:customer_id>/do-not-contact/remove/",
        views.suppression_remove,
        name="suppression_remove",
    ),
]
