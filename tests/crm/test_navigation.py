"""The tenant navigation: which items a role sees, and which one is active."""

from __future__ import annotations

from django.urls import reverse

from crm.navigation import menu_for


def test_the_longest_matching_menu_url_is_the_only_active_item(tenant):
    feedback_url = reverse("customers:feedback_list", kwargs={"tenant_slug": tenant.slug})
    items = menu_for(tenant=tenant, role="manager", current_path=feedback_url)
    active = [item["url"] for item in items if item["active"]]
    assert active == [feedback_url]


def test_sales_does_not_see_manager_items(tenant):
    sales_items = menu_for(tenant=tenant, role="sales", current_path="/")
    labels = {str(item["label"]) for item in sales_items}
    manager_labels = {
        str(item["label"]) for item in menu_for(tenant=tenant, role="manager", current_path="/")
    }
    assert labels < manager_labels
