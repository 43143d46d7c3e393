"""Fixtures for the customers tests: a customer of each tenant."""

import pytest

from tests.factories import CompanyCustomerFactory, CustomerFactory


@pytest.fixture
def customer(tenant):
    return CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz", city="İzmir")


@pytest.fixture
def other_customer(other_tenant):
    return CompanyCustomerFactory(tenant=other_tenant, company_name="Ege Tekstil A.Ş.")
