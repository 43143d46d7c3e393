"""Fixtures of the campaign tests (builders are in factories.py)."""

from __future__ import annotations

import pytest
from django.core import mail  # noqa: F401  (locmem outbox in tests)


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CRM_SITE_URL = "https://crm.example.com"
