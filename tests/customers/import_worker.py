"""An import worker in a process of its own, for the fault tests: it imports a transactions file
in small chunks, pausing after each, so a test can SIGKILL it mid-file.

    python tests/customers/import_worker.py <tenant id> <csv path> <rows per chunk> <pause s>

DATABASE_URL names the test database. Not a test module (no test_ prefix).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


def main(tenant_id: int, path: str, rows_per_chunk: int, pause: float) -> None:
    import django

    django.setup()
    from django_scopes import scope

    from crm.models import Tenant
    from customers.importing import service, writing

    service.CHUNK_ROWS = rows_per_chunk
    record_chunk = writing.record_chunk

    def record_chunk_slowly(**kwargs):
        record_chunk(**kwargs)
        time.sleep(pause)  # inside the chunk's transaction: a kill here loses only this chunk

    writing.record_chunk = record_chunk_slowly
    tenant = Tenant.objects.get(pk=tenant_id)
    with scope(tenant=tenant):
        service.import_local_file(tenant=tenant, kind="transactions", path=path)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
