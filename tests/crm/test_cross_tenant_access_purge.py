"""The row-level security bypass log is kept for CRM_CROSS_TENANT_ACCESS_RETENTION_DAYS, then
purged by the nightly task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import CrossTenantAccess
from crm.tasks import purge_cross_tenant_access

pytestmark = pytest.mark.django_db


def test_purge_forgets_only_records_past_the_retention(settings):
    settings.CRM_CROSS_TENANT_ACCESS_RETENTION_DAYS = 30
    old = CrossTenantAccess.objects.create(reason="old tick")
    recent = CrossTenantAccess.objects.create(reason="recent tick")
    CrossTenantAccess.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    CrossTenantAccess.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - timedelta(days=29)
    )

    assert purge_cross_tenant_access.apply().get() == 1

    assert list(CrossTenantAccess.objects.values_list("reason", flat=True)) == ["recent tick"]


def test_purge_is_scheduled_nightly(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "crm.tasks.purge_cross_tenant_access" in tasks
