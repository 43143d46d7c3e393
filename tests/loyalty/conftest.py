from __future__ import annotations

import pytest

from tests.factories import CustomerFactory
from tests.loyalty.factories import ProgrammeFactory


@pytest.fixture
def programme(tenant):
    return ProgrammeFactory(tenant=tenant)


@pytest.fixture
def ayse(tenant):
    return CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz")
