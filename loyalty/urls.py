"""Loyalty URLs, under /<tenant_slug>/loyalty/."""

from django.urls import path

from loyalty import catalogue_views, views

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
    path("settings/rewards/", catalogue_views.rewards, name="rewards"),
    path("settings/rewards/new/", catalogue_views.reward_edit, name="reward_new"),
    path("settings/rewards/<int:reward_id>/", catalogue_views.reward_edit, name="reward_edit"),
    path(
        "settings/rewards/<int:reward_id>/deactivate/",
        catalogue_views.reward_deactivate_confirm,
        name="reward_deactivate",
    ),
    path("settings/coupon-batches/", catalogue_views.coupon_batches, name="coupon_batches"),
    path("settings/coupon-batches/new/", catalogue_views.coupon_batch_new, name="coupon_batch_new"),
    path(
        "settings/coupon-batches/<int:batch_id>/",
        catalogue_views.coupon_batch,
        name="coupon_batch",
    ),
    path("settings/cashback/", catalogue_views.cashback_rules, name="cashback_rules"),
    path("settings/cashback/new/", catalogue_views.cashback_rule_edit, name="cashback_rule_new"),
    path(
        "settings/cashback/<int:rule_id>/",
        catalogue_views.cashback_rule_edit,
        name="cashback_rule_edit",
    ),
    path(
        "settings/cashback/<int:rule_id>/remove/",
        catalogue_views.cashback_rule_remove_confirm,
        name="cashback_rule_remove",
    ),
]
