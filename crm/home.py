"""The home-page registry: apps contribute sections (a template and its context) to a tenant's
home page without the core importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm.tenancy.permissions import role_has_permission


@dataclass(frozen=True)
class HomeSection:
    key: str
    template_name: str
    permission: str
    get_context: Callable[..., dict[str, Any]]  # (request=, tenant=) -> context
    order: int = 100


_sections: dict[str, HomeSection] = {}


def register_home_section(section: HomeSection) -> None:
    _sections[section.key] = section


def home_sections_for(*, request, tenant, role: str | None) -> list[dict[str, Any]]:
    rendered = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        if role_has_permission(role, section.permission):
            context = section.get_context(request=request, tenant=tenant)
            rendered.append({"template_name": section.template_name, "context": context})
    return rendered
