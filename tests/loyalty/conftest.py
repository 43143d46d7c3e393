from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from segmentation.models import Tier
from tests.factories import CustomerFactory
from tests.loyalty.factories import ProgrammeFactory


@pytest.fixture(autouse=True)
def _no_default_tiers(db, tenant):
    # A new tenant gets the default pyramid; the tests name the tiers they use.
    with scopes_disabled():
        Tier.objects.filter(tenant=tenant).delete()


@pytest.fixture
def programme(tenant):
    return ProgrammeFactory(tenant=tenant)


@pytest.fixture
def ayse(tenant):
    return CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz")
