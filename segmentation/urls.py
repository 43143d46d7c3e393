"""Score URLs, under /<tenant_slug>/scores/."""

from django.urls import path

from segmentation import views

app_name = "segmentation"
urlpatterns: list = [
    path("", views.pyramid, name="pyramid"),
    path("status/", views.run_status, name="run_status"),
    path("recompute/", views.recompute, name="recompute"),
    path("customers/<int:customer_id>/pin/", views.pin_tier, name="pin"),
    path("customers/<int:customer_id>/unpin/", views.unpin_tier, name="unpin"),
]
