"""The CRM project package: settings, URLs, the Celery app and multi-tenancy."""

from crm.celery import app as celery_app

__all__ = ("celery_app",)
