"""The demo-data registry: apps register loaders that fill a tenant with example data, in order
(customers first, then scores), without the core importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crm.models import Tenant


@dataclass(frozen=True)
class DemoLoader:
    key: str
    load: Callable[..., str]  # (tenant=, size=) -> a line describing what it made
    order: int = 100


_loaders: dict[str, DemoLoader] = {}


def register_demo_loader(loader: DemoLoader) -> None:
    _loaders[loader.key] = loader


def demo_loaders() -> list[DemoLoader]:
    return sorted(_loaders.values(), key=lambda loader: loader.order)


def run_demo_loaders(*, tenant: Tenant, size: str) -> list[str]:
    return [loader.load(tenant=tenant, size=size) for loader in demo_loaders()]
