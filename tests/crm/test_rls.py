"""Row-level security (crm/rls.py): the database keeps each tenant's rows to that tenant even
when the application forgets its filter, and shows nothing when no tenant is set."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django_scopes import scope
from django_scopes import scopes_disabled as django_scopes_disabled

from crm.models import CrossTenantAccess
from crm.rls import RLS_EXEMPT, all_tenants, every_tenant_unaudited, tenant_owned_models
from crm.tasks import ping
from customers.models import Customer
from tests.factories import CustomerFactory

# No bypass outside a scope here: these tests see what the application would.
pytestmark = [pytest.mark.django_db, pytest.mark.rls_strict]


def scopes_disabled():
    """Every tenant's rows, for the tests' own set-up and checks."""
    return every_tenant_unaudited(reason="tests")


@pytest.fixture
def customers(tenant, other_tenant):
    """Two customers of the tenant, one of the other tenant."""
    with scopes_disabled():
        CustomerFactory.create_batch(2, tenant=tenant)
        CustomerFactory(tenant=other_tenant)


def scalar(statement: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchone()[0]


def rows_changed(statement: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def audit_insert(tenant_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_auditentry (tenant_id, action, object_type, object_id, data,"
            " created_at) VALUES (%s, 'test.raw', '', '', '{}', now())",
            [tenant_id],
        )


# --- the role and the policies ---------------------------------------------------------------


def test_the_app_works_as_a_role_that_owns_nothing_and_cannot_bypass():
    assert scalar("SELECT current_user") == "crm_app"
    assert scalar("SELECT session_user") != "crm_app"  # the owner, who runs migrations
    assert scalar(
        "SELECT NOT rolsuper AND NOT rolbypassrls FROM pg_roles WHERE rolname = 'crm_app'"
    )
    assert not scalar(
        "SELECT count(*) FROM pg_class WHERE relowner = 'crm_app'::regrole"
        " AND relnamespace = current_schema()::regnamespace AND relpersistence = 'p'"
    )


def test_every_table_with_a_tenant_column_has_row_level_security_and_its_policy():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relkind, c.relrowsecurity, c.reloptions,
                   EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid
                           AND p.polname = 'tenant_isolation')
            FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v')
              AND NOT c.relispartition  -- a partition's rows are read through its root
            """
        )
        found = cursor.fetchall()
    exempt = {label.replace(".", "_") for label in RLS_EXEMPT}
    tables = {name for name, kind, *_ in found if kind in ("r", "p")}
    assert exempt <= tables and len(tables) > 40
    unprotected = [
        name
        for name, kind, secured, _options, has_policy in found
        if kind in ("r", "p") and name not in exempt and not (secured and has_policy)
    ]
    assert unprotected == []
    # Views read with the querying role's rights, so the policies apply through them too.
    views = [(name, options) for name, kind, _s, options, _p in found if kind == "v"]
    assert views and all("security_invoker=true" in (options or []) for _, options in views)
    assert {model._meta.db_table for model in tenant_owned_models()} == tables - exempt


# --- no tenant set: nothing seen, nothing written --------------------------------------------


def test_raw_sql_with_no_tenant_set_sees_no_rows(customers):
    with scopes_disabled():
        assert Customer.objects.count() == 3  # the rows are there
    assert scalar("SELECT count(*) FROM customers_customer") == 0
    with django_scopes_disabled():  # django-scopes off is not a way around the database
        assert Customer.objects.count() == 0


def test_raw_sql_with_no_tenant_set_cannot_insert(tenant):
    with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
        audit_insert(tenant.pk)


def test_raw_sql_with_no_tenant_set_updates_and_deletes_nothing(customers):
    assert rows_changed("UPDATE customers_customer SET city = 'Ankara'") == 0
    assert rows_changed("DELETE FROM customers_customer") == 0
    with scopes_disabled():
        assert Customer.objects.filter(city="İstanbul").count() == 3


# --- one tenant's scope: only its rows, even unscoped ----------------------------------------


def test_unscoped_queryset_in_a_tenants_scope_sees_only_its_rows(customers, tenant):
    with scope(tenant=tenant), django_scopes_disabled():
        assert set(Customer.objects.all().values_list("tenant_id", flat=True)) == {tenant.pk}
        assert Customer.objects.count() == 2


def test_raw_sql_in_a_tenants_scope_reads_and_changes_only_its_rows(
    customers, tenant, other_tenant
):
    with scope(tenant=tenant):
        assert scalar("SELECT count(*) FROM customers_customer") == 2
        assert (
            scalar(
                "SELECT count(*) FROM customers_customer WHERE tenant_id = %s", [other_tenant.pk]
            )
            == 0
        )
        assert rows_changed("UPDATE customers_customer SET city = 'Ankara'") == 2
        assert (
            rows_changed("DELETE FROM customers_customer WHERE tenant_id = %s", [other_tenant.pk])
            == 0
        )
        audit_insert(tenant.pk)
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            audit_insert(other_tenant.pk)
    with scopes_disabled():
        assert Customer.objects.filter(tenant=other_tenant, city="İstanbul").count() == 1


@pytest.mark.urls("tests.crm.rls_urls")
def test_a_request_for_one_tenant_cannot_read_anothers_rows_unscoped(
    customers, admin_client_, tenant
):
    response = admin_client_.get(f"/{tenant.slug}/rls-probe/")
    assert response.json() == {"raw": [tenant.pk], "orm": [tenant.pk]}


def test_a_task_works_in_its_tenant_only(customers, tenant, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    entry_id = ping.apply(args=[tenant.pk]).get()
    with scope(tenant=tenant):
        assert scalar("SELECT count(*) FROM crm_auditentry WHERE id = %s", [entry_id]) == 1
        assert scalar("SELECT count(DISTINCT tenant_id) FROM customers_customer") == 1


# --- the explicit, audited way across tenants ------------------------------------------------


def test_all_tenants_sees_every_tenant_and_leaves_a_record(customers, manager_user, tenant):
    with all_tenants(reason="test: every company's customers", actor=manager_user):
        assert scalar("SELECT count(*) FROM customers_customer") == 3
        assert Customer.objects.count() == 3
        with scope(tenant=tenant):  # a tenant's scope inside it narrows it again
            assert scalar("SELECT count(*) FROM customers_customer") == 2
        assert scalar("SELECT count(*) FROM customers_customer") == 3
    record = CrossTenantAccess.objects.get()
    assert (record.reason, record.actor) == ("test: every company's customers", manager_user)
    assert scalar("SELECT count(*) FROM customers_customer") == 0


def test_superusers_admin_pages_are_audited(superuser_client_rls):
    response = superuser_client_rls.get("/admin/customers/customer/")
    assert response.status_code == 200
    assert CrossTenantAccess.objects.filter(reason="admin GET /admin/customers/customer/").exists()


@pytest.fixture
def superuser_client_rls(db):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_superuser("root", "root@example.com", "parola-123")
    client = Client()
    client.force_login(user)
    return client


# --- the setting never outlives its scope on a reused connection -----------------------------


def test_the_tenant_does_not_leak_to_the_next_statement_on_the_same_connection(customers, tenant):
    with scope(tenant=tenant):
        assert scalar("SELECT current_setting('app.tenant_id')") == str(tenant.pk)
    # Same connection (the test's transaction holds it), next statement: reset first.
    assert scalar("SELECT current_setting('app.tenant_id')") == ""
    assert scalar("SELECT count(*) FROM customers_customer") == 0


def test_the_tenant_does_not_leak_when_its_scope_ends_with_an_error(customers, tenant):
    with pytest.raises(RuntimeError), scope(tenant=tenant):
        assert scalar("SELECT count(*) FROM customers_customer") == 2
        raise RuntimeError
    assert scalar("SELECT count(*) FROM customers_customer") == 0


def test_the_tenant_does_not_leak_from_one_request_to_the_next_work(
    customers, admin_client_, tenant
):
    assert admin_client_.get(f"/{tenant.slug}/customers/").status_code == 200
    assert scalar("SELECT count(*) FROM customers_customer") == 0


def test_a_rolled_back_setting_is_set_again(customers, tenant):
    assert scalar("SELECT count(*) FROM customers_customer") == 0
    savepoint = transaction.savepoint()
    with scope(tenant=tenant):
        assert scalar("SELECT count(*) FROM customers_customer") == 2
    transaction.savepoint_rollback(savepoint)  # undoes the set_config made after it, too
    with scope(tenant=tenant):
        assert scalar("SELECT count(*) FROM customers_customer") == 2


def test_a_fresh_connection_starts_as_the_app_role_with_no_tenant(customers, tenant):
    with scope(tenant=tenant):
        assert scalar("SELECT count(*) FROM customers_customer") == 2
        new = connection.copy()
        try:
            with new.cursor() as cursor:
                cursor.execute(
                    "SELECT current_user, current_setting('app.tenant_id', true),"
                    " (SELECT count(*) FROM customers_customer)"
                )
                # The committed fixture rows are invisible to another transaction anyway;
                # the point is the role and that its tenant is set from the scope.
                user, setting, _count = cursor.fetchone()
        finally:
            new.close()
    assert (user, setting) == ("crm_app", str(tenant.pk))


# --- the beat's fan-outs run outside any scope: through the audited path or a tenant's scope ---


@pytest.fixture
def tenant_with_work(tenant):
    from campaigns.models import CampaignStatus
    from tests.campaigns.factories import CampaignFactory
    from tests.loyalty.factories import ProgrammeFactory

    with scopes_disabled():
        CampaignFactory(tenant=tenant, status=CampaignStatus.RUNNING, trigger="birthday")
        ProgrammeFactory(tenant=tenant)
    return tenant


def test_every_beat_task_runs_with_row_level_security_and_no_scope(tenant_with_work):
    import importlib

    from django.conf import settings

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        module, name = entry["task"].rsplit(".", 1)
        task = getattr(importlib.import_module(module), name)
        task()  # no error: nothing they do outside a tenant's scope needs its rows


def test_fan_outs_find_the_tenants_with_work_through_the_audited_path(tenant_with_work):
    from campaigns.tasks import campaigns_tick_everywhere, campaigns_triggers_everywhere
    from loyalty.tasks import nightly_everywhere

    assert campaigns_tick_everywhere() == 1
    assert campaigns_triggers_everywhere() == 1
    assert nightly_everywhere() == 1
    assert CrossTenantAccess.objects.count() == 3


def test_nightly_schedulers_queue_each_tenants_run_in_its_scope(tenant):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from prediction.services.runs import nightly_predictions_schedule
    from segmentation.services.runs import nightly_recomputes_schedule

    istanbul = ZoneInfo(tenant.timezone)
    scores = nightly_recomputes_schedule(now=datetime(2026, 11, 30, 2, 5, tzinfo=istanbul))
    predictions = nightly_predictions_schedule(now=datetime(2026, 11, 30, 1, 5, tzinfo=istanbul))
    assert [run.tenant_id for run in scores + predictions] == [tenant.pk, tenant.pk]
    with scope(tenant=tenant):
        assert scalar("SELECT count(*) FROM segmentation_scorerun") == 1
        assert scalar("SELECT count(*) FROM prediction_predictionrun") == 1
