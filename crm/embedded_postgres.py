"""Embedded PostgreSQL (the `pgserver` package) for machines without a DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "postgres"
DATABASE_NAME = "crm"


def embedded_database_settings(data_dir: Path | None = None) -> dict[str, str]:
    """Start (or reuse) the embedded server and return Django DATABASES settings for it.

    The server keeps running after this process exits, so web, worker, beat and the next
    `make` invocation all share one server; pgserver serialises concurrent starts with a lock.
    """
    # pgserver keeps its start-up lock in the user's runtime dir, which servers often lack.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(BASE_DIR / ".data" / "run"))
    runtime_dir = Path(os.environ["XDG_RUNTIME_DIR"])
    runtime_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)
    import pgserver  # imported lazily: only machines without DATABASE_URL need it

    data_dir = data_dir or DEFAULT_DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    socket_dir = server.get_postmaster_info().socket_dir
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(socket_dir),
        "PORT": "",
    }


if __name__ == "__main__":
    print(embedded_database_settings())
