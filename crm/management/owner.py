"""Migration commands work as the tables' owner, not as the row-level security role: they read
and write the migration history, and must also run on a server where `migrate` has not yet
created that role (crm.rls)."""

from typing import Any

from crm.rls import owner_mode


class AsOwner:
    """Mixin for a management command: run it in crm.rls.owner_mode()."""

    def execute(self, *args: Any, **options: Any) -> Any:
        with owner_mode():
            return super().execute(*args, **options)  # type: ignore[misc]
