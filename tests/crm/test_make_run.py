"""`make run` (issue 14): the development server listens on 127.0.0.1 unless told otherwise, and
the address printed beside the demo logins is one that answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)


def test_procfile_binds_the_web_server_to_this_machine_by_default():
    web = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    assert "runserver ${BIND:-127.0.0.1}:${PORT:-8000}" in web


def test_makefile_passes_bind_and_the_address_to_open():
    makefile = (ROOT / "Makefile").read_text()
    assert "BIND ?= 127.0.0.1" in makefile
    assert "demo_setup --url http://$(OPEN_HOST):$(PORT)/" in makefile
    assert "BIND=$(BIND) $(BIN)/honcho start" in makefile


def test_the_address_to_open_is_an_allowed_host():
    assert "127.0.0.1" in settings.ALLOWED_HOSTS


@pytest.mark.django_db
def test_demo_setup_prints_the_address_beside_the_logins(capsys):
    call_command("demo_setup", "--url", "http://127.0.0.1:8765/")

    lines = capsys.readouterr().out.splitlines()
    logins = lines.index("Demo logins (password: demo-parola-2026):")
    assert lines[logins + 4] == "Open http://127.0.0.1:8765/"
