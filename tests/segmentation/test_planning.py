"""Issue 14: the recompute must be fast whatever the planner's statistics say, and a runaway
statement cannot hold a tenant forever.

A tenant loaded in bulk whose tables have no statistics (never analyzed, or reset to that state
here) makes PostgreSQL's default plan for step 1 a nested loop that rescans the aggregated
transactions once per customer: quadratic. The tests assert on the plan's shape (EXPLAIN as
JSON), never on a time.
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from crm.whole_tenant import nested_loops_over_aggregates, stale_tables
from segmentation.metrics import METRICS, Metric
from segmentation.models import CustomerScore, RunStatus, ValueKey
from segmentation.services import recompute as recompute_module
from segmentation.services import scores_recompute, segmentation_defaults_ensure
from segmentation.services.recompute import (
    RECOMPUTE_LOCK_CLASS,
    raw_values_plan,
    run_error_text,
)
from tests.planner_support import statistics_reset
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

CUSTOMERS = 3_000
PURCHASES_EACH = 3
LOADED_TABLES = ("customers_customer", "customers_transaction")


def _bulk_load(tenant, now) -> None:
    """CUSTOMERS customers with PURCHASES_EACH purchases each, in two INSERT ... SELECTs (the way
    a loader that bypasses the importer writes them: no ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO customers_customer
                (tenant_id, kind, first_name, last_name, company_name, email, phone, address,
                 city, region, country, industry, tax_number, acquisition_channel,
                 lifecycle_stage, termination_reason, tags, preferred_channel,
                 preferred_language, consent_email, consent_sms, consent_phone,
                 external_id, notes, created_at, updated_at)
            SELECT %(tenant)s, 'person', 'Ad ' || n, 'Soyad ' || n, '', '', '', '', 'İzmir',
                   'Ege', 'TR', '', '', '', 'active', '', '{}', '', 'tr',
                   false, false, false, 'P' || n, '', now(), now()
            FROM generate_series(1, %(customers)s) AS n
            """,
            {"tenant": tenant.pk, "customers": CUSTOMERS},
        )
        cursor.execute(
            """
            INSERT INTO customers_transaction
                (tenant_id, customer_id, kind, status, occurred_at, amount, currency, channel,
                 quantity, external_id, created_at)
            SELECT c.tenant_id, c.id, 'purchase', 'completed',
                   %(now)s - make_interval(days => ((c.id + k) %% 300 + 1)::int),
                   (c.id %% 97 + k) * 10.5, 'TRY', '', 1, '', now()
            FROM customers_customer c CROSS JOIN generate_series(1, %(each)s) AS k
            WHERE c.tenant_id = %(tenant)s
            """,
            {"tenant": tenant.pk, "each": PURCHASES_EACH, "now": now},
        )


@pytest.fixture
def loaded_without_statistics(tenant, now):
    segmentation_defaults_ensure(tenant=tenant)
    _bulk_load(tenant, now)
    statistics_reset(LOADED_TABLES)
    return tenant


@pytest.mark.django_db
def test_default_plan_without_statistics_nests_a_loop_over_the_transactions_aggregate(
    loaded_without_statistics, now
):
    # The defect, reproduced: what PostgreSQL does with its defaults on these statistics.
    plan = raw_values_plan(tenant=loaded_without_statistics, guarded=False, now=now)["Plan"]
    assert plan["Plan Rows"] < CUSTOMERS / 100  # it believes the tenant is tiny
    assert nested_loops_over_aggregates(plan) != []


@pytest.mark.django_db
def test_recompute_plan_has_no_nested_loop_over_the_aggregate(loaded_without_statistics, now):
    plan = raw_values_plan(tenant=loaded_without_statistics, guarded=True, now=now)["Plan"]
    assert nested_loops_over_aggregates(plan) == []


@pytest.mark.django_db
def test_planner_settings_alone_avoid_the_nested_loop(loaded_without_statistics, now, monkeypatch):
    # Even when the statistics stay wrong (a table too big for the new rows to make it stale),
    # the recompute's settings keep the plan linear.
    monkeypatch.setattr(recompute_module, "_input_statistics_refresh", lambda: {})
    plan = raw_values_plan(tenant=loaded_without_statistics, guarded=True, now=now)["Plan"]
    assert plan["Plan Rows"] < CUSTOMERS / 100  # still estimated from no statistics
    assert nested_loops_over_aggregates(plan) == []


@pytest.mark.django_db
def test_recompute_refreshes_stale_statistics_and_scores_everyone(loaded_without_statistics, now):
    assert set(LOADED_TABLES) <= set(stale_tables(tables=LOADED_TABLES))

    run = scores_recompute(tenant=loaded_without_statistics, now=now)

    assert run.status == RunStatus.SUCCEEDED
    assert run.customers_scored == CUSTOMERS
    assert any(step.startswith("analyze customers_customer") for step in run.seconds)
    assert stale_tables(tables=LOADED_TABLES) == []


OUTPUT_TABLES = (
    "segmentation_customerscore",
    "segmentation_customerfacts",
    "segmentation_tierchange",
)


def _have_statistics(table: str) -> bool:
    """As the tables' owner: pg_stats hides a row-level security table's from the app's role."""
    from crm.rls import owner_mode

    with owner_mode(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename = %s)",
            [table],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_first_run_analyzes_the_scores_facts_and_tier_history_it_filled(
    loaded_without_statistics, now
):
    statistics_reset(OUTPUT_TABLES)
    assert not any(_have_statistics(table) for table in OUTPUT_TABLES)

    first = scores_recompute(tenant=loaded_without_statistics, now=now)
    second = scores_recompute(tenant=loaded_without_statistics, now=now)

    assert all(_have_statistics(table) for table in OUTPUT_TABLES)
    assert "analyze outputs (first run)" in first.seconds
    assert "analyze outputs (first run)" not in second.seconds


# --- the statement timeout ----------------------------------------------------------------------


def _slow_key(tenant, monkeypatch, seconds: float) -> None:
    monkeypatch.setitem(
        METRICS,
        "slow",
        Metric(
            key="slow",
            label="Slow",
            help_text="",
            query=f"SELECT c.id AS customer_id, 1 AS raw_value FROM customers_customer c, "
            f"pg_sleep({seconds}) WHERE c.tenant_id = {{tenant}}",
        ),
    )
    with scopes_disabled():
        ValueKey.objects.create(tenant=tenant, metric="slow", weight=1, order=9)


def _lock_is_free(tenant) -> bool:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        (free,) = other.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", [RECOMPUTE_LOCK_CLASS, tenant.pk]
        ).fetchone()
        if free:
            other.execute("SELECT pg_advisory_unlock(%s, %s)", [RECOMPUTE_LOCK_CLASS, tenant.pk])
    return free


@pytest.mark.django_db(transaction=True)
def test_a_run_past_the_statement_timeout_fails_with_the_reason_and_keeps_the_scores(
    tenant, now, settings, monkeypatch, manager_client
):
    use_keys(tenant, ("revenue", 1, "min_max"))
    use_tiers(tenant, 100)
    a, b = customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 200)
    scores_recompute(tenant=tenant, now=now)
    with scopes_disabled():
        before = dict(CustomerScore.objects.filter(tenant=tenant).values_list("customer", "score"))
    settings.CRM_RECOMPUTE_STATEMENT_TIMEOUT = 1
    _slow_key(tenant, monkeypatch, seconds=3)

    run = scores_recompute(tenant=tenant, now=now)

    assert run.status == RunStatus.FAILED
    assert run.error == (
        "Stopped: a step ran longer than the limit of 1 second "
        "(CRM_RECOMPUTE_STATEMENT_TIMEOUT). The previous scores are kept."
    )
    with scopes_disabled():
        after = dict(CustomerScore.objects.filter(tenant=tenant).values_list("customer", "score"))
    assert after == before
    assert _lock_is_free(tenant)
    page = manager_client.get(
        reverse("segmentation:run_status", kwargs={"tenant_slug": tenant.slug})
    ).content.decode()
    assert run.error in page
    assert "Traceback" not in page


@pytest.mark.django_db(transaction=True)
def test_command_prints_one_line_for_a_timed_out_run(tenant, now, settings, monkeypatch, capsys):
    use_keys(tenant, ("revenue", 1, "min_max"))
    buy(customer(tenant), 100)
    settings.CRM_RECOMPUTE_STATEMENT_TIMEOUT = 1
    _slow_key(tenant, monkeypatch, seconds=3)

    with pytest.raises(CommandError, match="1 recompute"):
        call_command("recompute_scores", "--tenant", tenant.slug)

    error_lines = capsys.readouterr().err.strip().splitlines()
    assert len(error_lines) == 1
    assert "CRM_RECOMPUTE_STATEMENT_TIMEOUT" in error_lines[0]
    assert "Traceback" not in error_lines[0]


@pytest.mark.django_db
def test_command_prints_one_line_for_a_lost_connection(tenant, monkeypatch, capsys):
    def lose_the_connection(**kwargs):
        raise OperationalError("server closed the connection unexpectedly\n\tThis probably...")

    monkeypatch.setattr(
        "segmentation.management.commands.recompute_scores.scores_recompute", lose_the_connection
    )
    with pytest.raises(CommandError, match="1 recompute"):
        call_command("recompute_scores", "--tenant", tenant.slug)

    assert capsys.readouterr().err == (
        f"{tenant.slug}: server closed the connection unexpectedly\n"
    )


def _cancelled_error(message: str) -> OperationalError:
    error = OperationalError(message)
    error.__cause__ = psycopg.errors.QueryCanceled(message)
    return error


def test_timeout_reason_names_the_limit_in_the_users_language(settings):
    settings.CRM_RECOMPUTE_STATEMENT_TIMEOUT = 30 * 60
    error = _cancelled_error("canceling statement due to statement timeout")
    with translation.override("tr"):
        assert run_error_text(error) == (
            "Durduruldu: bir adım 30 dakika sınırından uzun sürdü "
            "(CRM_RECOMPUTE_STATEMENT_TIMEOUT). Önceki puanlar korunuyor."
        )


def test_other_errors_give_their_first_line_only():
    assert run_error_text(OperationalError("deadlock detected\nDETAIL: Process 1")) == (
        "deadlock detected"
    )


@pytest.mark.django_db
def test_the_recompute_plans_without_parallel_workers():
    # The run keeps to one core: the web shares the machine with the nightly batch.
    with transaction.atomic():
        recompute_module._planner_settings()
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone() == ("0",)
        transaction.set_rollback(True)
