"""Score URLs, under /<tenant_slug>/scores/."""

from django.urls import path

from segmentation import dashboard_views, segment_views, views

app_name = "segmentation"
urlpatterns: list = [
    path("", views.pyramid, name="pyramid"),
    path("status/", views.run_status, name="run_status"),
    path("recompute/", views.recompute, name="recompute"),
    path("customers/<int:customer_id>/pin/", views.pin_tier, name="pin"),
    path("customers/<int:customer_id>/unpin/", views.unpin_tier, name="unpin"),
    path("levels/<str:level>/", dashboard_views.level_breakdown, name="level"),
    path("customers/", dashboard_views.cell_customers, name="cell_customers"),
    path("movement/", dashboard_views.movement_customers, name="movement_customers"),
    path("classes/", segment_views.class_settings, name="class_settings"),
    path("segments/", segment_views.segment_list, name="segments"),
    path("segments/new/", segment_views.segment_create, name="segment_create"),
    path("segments/preview/", segment_views.segment_preview, name="segment_preview"),
    path("segments/<int:segment_id>/", segment_views.segment_detail, name="segment"),
    path("segments/<int:segment_id>/edit/", segment_views.segment_edit, name="segment_edit"),
    path("segments/<int:segment_id>/freeze/", segment_views.segment_freeze, name="segment_freeze"),
    path("segments/<int:segment_id>/delete/", segment_views.segment_delete, name="segment_delete"),
    path(
        "segments/<int:segment_id>/hand-picked/<int:customer_id>/remove/",
        segment_views.segment_customer_remove,
        name="segment_customer_remove",
    ),
]
