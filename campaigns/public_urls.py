"""The links in campaign messages, at the top level (no tenant slug, no login)."""

from django.urls import path

from campaigns import public_views

urlpatterns: list = [
    path("go/<str:token>/", public_views.click, name="campaign_click"),
    path("unsubscribe/<str:token>/", public_views.unsubscribe, name="campaign_unsubscribe"),
]
