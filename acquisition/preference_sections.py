"""The preference-page registry: apps add a section (a template and its context) to the
customer's own page without acquisition importing them. A section's get_context returns None
when it has nothing to show for the customer (no programme, not a member)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PreferenceSection:
    key: str
    template_name: str
    # (tenant=, customer=) -> the template's context, or None; one or two indexed queries.
    get_context: Callable[..., dict[str, Any] | None]
    order: int = 100


_sections: dict[str, PreferenceSection] = {}


def register_preference_section(section: PreferenceSection) -> None:
    _sections[section.key] = section


def preference_sections_for(*, tenant, customer) -> list[dict[str, Any]]:
    rendered = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        context = section.get_context(tenant=tenant, customer=customer)
        if context is not None:
            rendered.append({"template_name": section.template_name, "context": context})
    return rendered
