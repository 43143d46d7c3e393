"""The migration commands work as the tables' owner (crm.management.owner): they must run on a
server where `migrate` has not yet created the row-level security role."""

from __future__ import annotations

import pytest
from django.core.management import call_command, load_command_class

from crm import rls
from crm.management.owner import AsOwner

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["migrate", "makemigrations", "showmigrations"])
def test_migration_commands_run_as_the_owner(name, monkeypatch):
    command = load_command_class("crm", name)
    assert isinstance(command, AsOwner)
    seen = []
    monkeypatch.setattr(
        type(command).__mro__[2], "execute", lambda self, *a, **k: seen.append(rls.in_owner_mode())
    )
    command.execute()
    assert seen == [True]


def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
