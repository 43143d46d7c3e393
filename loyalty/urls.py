"""Loyalty URLs, under /<tenant_slug>/loyalty/."""

from django.urls import path

from loyalty import views

app_name = "loyalty"
urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("refresh/", views.overview_refresh, name="overview_refresh"),
    path("customers/<int:customer_id>/statement/", views.statement, name="statement"),
    path("customers/<int:customer_id>/statement.csv", views.statement_csv, name="statement_csv"),
    path(
        "customers/<int:customer_id>/rewards/<int:reward_id>/redeem/",
        views.redeem,
        name="redeem",
    ),
    path("customers/<int:customer_id>/coupon/", views.coupon_apply, name="coupon"),
    path("customers/<int:customer_id>/adjust/", views.adjust, name="adjust"),
    path("customers/<int:customer_id>/membership/", views.membership, name="membership"),
    path("coupons/<int:batch_id>/codes.csv", views.batch_codes_csv, name="batch_codes"),
    path("settings/", views.programme_settings, name="settings"),
    path("settings/bonus-rules/new/", views.bonus_rule_edit, name="bonus_rule_new"),
    path("settings/bonus-rules/<int:rule_id>/", views.bonus_rule_edit, name="bonus_rule_edit"),
    path(
        "settings/bonus-rules/<int:rule_id>/remove/",
        views.bonus_rule_remove,
        name="bonus_rule_remove",
    ),
]
