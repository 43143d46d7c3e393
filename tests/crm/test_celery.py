"""A Celery task round trip on the transport really in use: a worker thread on the filesystem
transport (no REDIS_URL) or on Redis (REDIS_URL set, as in CI), a TenantTask sent through the
broker, and its effect checked in the database."""

from __future__ import annotations

import threading
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django_scopes import scope

from crm.celery import app as celery_app
from crm.models import AuditEntry
from crm.tasks import ping


def _forget_connections() -> None:
    # The app caches its broker pool, queue table and result backend; start from the new conf.
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)
    celery_app._backend_cache = None
    celery_app._local = threading.local()


@pytest.fixture
def isolated_transport(tmp_path):
    """The configured transport, kept apart from `make run`: the filesystem transport gets
    folders under tmp_path (never .data/celery); on Redis the test uses a queue of its own,
    so a worker of another run on the same server cannot take its task."""
    saved = {
        key: celery_app.conf[key]
        for key in ("broker_transport_options", "result_backend", "task_always_eager")
    }
    celery_app.conf.task_always_eager = False
    if celery_app.conf.broker_url.startswith("filesystem://"):
        for folder in ("queue", "results", "control"):
            (tmp_path / folder).mkdir()
        celery_app.conf.broker_transport_options = {
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "control_folder": str(tmp_path / "control"),
            "store_processed": False,
        }
        celery_app.conf.result_backend = f"file://{tmp_path / 'results'}"
    _forget_connections()
    yield f"test-{uuid.uuid4().hex}"
    celery_app.conf.update(saved)
    _forget_connections()


def test_celery_uses_redis_exactly_when_redis_url_is_set():
    if settings.REDIS_URL:
        assert celery_app.conf.broker_url == settings.REDIS_URL
    else:
        assert celery_app.conf.broker_url == "filesystem://"
    assert not celery_app.conf.task_always_eager


@pytest.mark.celery_worker
def test_task_round_trip_through_a_real_worker(transactional_db, tenant, isolated_transport):
    queue = isolated_transport
    with start_worker(
        celery_app, perform_ping_check=False, shutdown_timeout=30, pool="solo", queues=[queue]
    ):
        result = ping.apply_async(args=[tenant.pk], kwargs={"note": "round trip"}, queue=queue)
        entry_id = result.get(timeout=60)
    with scope(tenant=tenant):
        entry = AuditEntry.objects.get(pk=entry_id)
    assert entry.action == "crm.celery.ping"
    assert entry.data == {"note": "round trip"}
    assert entry.tenant == tenant
