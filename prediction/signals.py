"""A new company gets its prediction settings row with the defaults (editable in the admin)."""

from __future__ import annotations

from typing import Any


def tenant_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any):
    if created and not raw:
        from prediction.services import settings_for

        settings_for(tenant=instance)
