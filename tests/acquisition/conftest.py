"""Fixtures for the acquisition tests: leads in the first tenant, a purchase helper."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled

from acquisition.models import Lead, LeadSource
from acquisition.services import lead_create
from campaigns.models import AudienceKind, Objective
from customers.models import LifecycleStage
from tests.campaigns.factories import CampaignFactory
from tests.factories import CustomerFactory, TransactionFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache (Redis in CI): start every test at zero.
    cache.clear()
    yield
    cache.clear()


def make_lead(tenant, *, actor=None, source=LeadSource.EVENT, **fields) -> Lead:
    customer_fields = {
        "first_name": fields.pop("first_name", "Zeynep"),
        "last_name": fields.pop("last_name", "Çelik"),
        "email": fields.pop("email", ""),
        "phone": fields.pop("phone", ""),
        "tax_number": fields.pop("tax_number", ""),
    }
    with scopes_disabled():
        return lead_create(
            tenant=tenant, actor=actor, source=source, customer_fields=customer_fields, **fields
        )


def buy(customer, amount="100.00", **fields):
    return TransactionFactory(
        customer=customer, tenant=customer.tenant, amount=Decimal(amount), **fields
    )


def make_campaign(tenant, name="Bahar 2026", objective=Objective.ACQUISITION, **fields):
    """One of the company's campaigns (acquisition unless told), aimed at its prospects."""
    with scopes_disabled():
        return CampaignFactory(
            tenant=tenant, name=name, objective=objective, audience_kind=AudienceKind.STAGE,
            audience_stage=LifecycleStage.PROSPECT, **fields,
        )  # fmt: skip


@pytest.fixture
def campaign(tenant):
    return make_campaign(tenant)


@pytest.fixture
def other_campaign(other_tenant):
    return make_campaign(other_tenant, name="Bahar 2026")


@pytest.fixture
def lead(tenant):
    return make_lead(tenant, email="zeynep@example.com")


@pytest.fixture
def other_lead(other_tenant):
    return make_lead(other_tenant, first_name="Can", last_name="Ege")


@pytest.fixture
def known_customer(tenant):
    return CustomerFactory(
        tenant=tenant, first_name="Ali", last_name="Demir", email="ali@example.com"
    )
