"""URLs: account pages and the admin at the top, everything else under /<tenant_slug>/."""

from django.contrib import admin
from django.urls import include, path

from crm import accounts, invitation_views, views

tenant_patterns = [
    path("", views.tenant_home, name="tenant_home"),
    path("configuration/", views.configuration_enter, name="configuration_enter"),
    path("members/", include("crm.members_urls")),
    path("customers/", include("customers.urls")),
    path("scores/", include("segmentation.urls")),
    path("predictions/", include("prediction.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("", include("acquisition.urls")),
    path("campaigns/", include("campaigns.urls")),
]

urlpatterns = [
    path("", views.tenant_pick, name="tenant_pick"),
    # Before Django's own: the reset form that limits how many mails it sends.
    path(
        "accounts/password_reset/",
        accounts.ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/invitations/<slug:token>/",
        invitation_views.invitation_accept_view,
        name="invitation_accept",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", views.health, name="health"),
    # Links in campaign messages (/go/, /unsubscribe/): no login, a signed token instead.
    path("", include("campaigns.public_urls")),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin's).
    path("favicon.ico", views.favicon, name="favicon"),
    # Public pages (no sign-in), each behind a signature: acquisition/public.py.
    path("p/", include("acquisition.public_urls")),
    path("<slug:tenant_slug>/", include(tenant_patterns)),
]

handler500 = "crm.views.server_error"
