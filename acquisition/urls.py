"""Lead and acquisition URLs, under /<tenant_slug>/leads/ and /<tenant_slug>/acquisition/."""

from django.urls import path

from acquisition import views

app_name = "acquisition"
urlpatterns = [
    path("leads/", views.board, name="board"),
    path("leads/list/", views.lead_list, name="list"),
    path("leads/new/", views.lead_create, name="create"),
    path("leads/import/", views.lead_import, name="import"),
    # The board's cards write these two as the board's URL + id (no reverse() per card).
    path("leads/<int:lead_id>/", views.lead_detail, name="detail"),
    path("leads/<int:lead_id>/status/", views.lead_status, name="status"),
    path(
        "acquisition/customers/<int:customer_id>/preference-link/",
        views.preference_link_send,
        name="preference_link_send",
    ),
    path("acquisition/", views.report, name="report"),
    path("acquisition/costs/", views.costs, name="costs"),
    path("acquisition/costs/<int:cost_id>/delete/", views.cost_delete, name="cost_delete"),
]
