"""Helpers for fault tests that run a worker in a process of its own and kill it for real."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection


def test_database_url() -> str:
    """The test database as a URL for another process (a TCP host or a socket directory)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or ""
    if host.startswith("/"):
        return f"postgres://{credentials}@/{db['NAME']}?host={host}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


# Not a test, whatever its name says.
test_database_url.__test__ = False  # type: ignore[attr-defined]


# The worker's database sessions carry this name, so a test can wait for exactly them to end.
WORKER_APPLICATION_NAME = "crm-fault-test-worker"


def worker_start(script: Path, *args: object, **environment: str) -> subprocess.Popen:
    """Start `script` with the test database and `environment` added to this one's."""
    url = test_database_url()
    url += ("&" if "?" in url else "?") + f"application_name={WORKER_APPLICATION_NAME}"
    env = {**os.environ, "DATABASE_URL": url, **environment}
    return subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def worker_sessions_gone() -> bool:
    """The killed worker's database sessions have ended (and rolled back whatever they had not
    committed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [WORKER_APPLICATION_NAME],
        )
        return cursor.fetchone()[0] == 0


# Generous: a worker process starting Django on a busy 2-core machine can take many seconds.
def wait_for(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)
