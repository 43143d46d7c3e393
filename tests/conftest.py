"""The cast every test can use: two tenants, a member of each role in the first, a member of the
second, and an outsider (healthchecks' owner/member/outsider idea)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_scopes import scope
from django_scopes.state import state

from crm.models import Role
from crm.rls import bypass_outside_scopes_set
from tests.factories import MembershipFactory, TenantFactory, UserFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # Tests state expected messages in the source language (English); tests/crm/test_i18n.py
    # checks the Turkish catalogue and the language choice of pages.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    # Rate limit counters live in the configured cache (Redis in CI): each test counts afresh
    # under its own key prefix instead of flushing a cache others may share.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every fixture user gets a password; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _rls_bypass_outside_scopes(request):
    """Row-level security (crm/rls.py): outside a tenant scope the test sees every tenant, as
    the fixtures and checks were written; inside one (requests, tasks, `scope(tenant=...)`) the
    database confines to that tenant. `@pytest.mark.rls_strict` tests have no bypass."""
    if request.node.get_closest_marker("rls_strict"):
        yield
        return
    token = bypass_outside_scopes_set("tests")
    yield
    state.reset(token)


@pytest.fixture
def tenant(db):
    return TenantFactory(name="Anadolu Ticaret A.Ş.", slug="anadolu")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(name="Ege Pazarlama Ltd.", slug="ege")


@pytest.fixture
def admin_user(tenant):
    return MembershipFactory(tenant=tenant, role=Role.ADMIN, user__username="admin").user


@pytest.fixture
def manager_user(tenant):
    return MembershipFactory(tenant=tenant, role=Role.MANAGER, user__username="manager").user


@pytest.fixture
def sales_user(tenant):
    return MembershipFactory(tenant=tenant, role=Role.SALES, user__username="sales").user


@pytest.fixture
def other_tenant_admin(other_tenant):
    return MembershipFactory(tenant=other_tenant, role=Role.ADMIN, user__username="other").user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    # The members' clients read pages in English, like the assertions; see test_i18n.py.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin_client_(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def manager_client(manager_user):
    return _client_for(manager_user)


@pytest.fixture
def sales_client(sales_user):
    return _client_for(sales_user)


@pytest.fixture
def other_tenant_client(other_tenant_admin):
    return _client_for(other_tenant_admin)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def tenant_scope(tenant):
    """Run the test body inside the tenant's scope, as views and tasks do."""
    with scope(tenant=tenant):
        yield tenant
