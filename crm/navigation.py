"""The navigation registry: apps add menu items to the tenant navigation without the core
importing them (register in AppConfig.ready)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from crm.tenancy.permissions import role_has_permission


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str  # reversed with tenant_slug
    permission: str
    order: int = 100
    icon: str = ""


_menu: list[MenuItem] = []


def register_menu_item(item: MenuItem) -> None:
    if any(existing.url_name == item.url_name for existing in _menu):
        return  # ready() can run twice in some test runners
    _menu.append(item)
    _menu.sort(key=lambda entry: entry.order)


def menu_for(*, tenant, role: str | None, current_path: str) -> list[dict]:
    """The menu items this role may see, with their URLs; the item whose URL is the longest
    prefix of the current path is the active one (/customers/feedback/ is Feedback, not
    Customers)."""
    items = []
    for item in _menu:
        if not role_has_permission(role, item.permission):
            continue
        url = reverse(item.url_name, kwargs={"tenant_slug": tenant.slug})
        items.append({"label": item.label, "url": url, "active": False})
    matching = [entry for entry in items if current_path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return items
