"""Migration 0003: the lead's and the cost's free-text campaign become links to the company's
acquisition campaigns; text that names none stays (the lead's source detail, the cost's note)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from acquisition.models import AcquisitionCost, Lead
from crm.rls import owner_mode
from tests.acquisition.conftest import make_campaign, make_lead

pytestmark = pytest.mark.django_db

BEFORE = [("acquisition", "0002_owner_board_indexes")]
AFTER = [("acquisition", "0003_lead_campaign_link")]


def migrate(targets) -> None:
    with connection.cursor() as cursor:
        # The test's rows are checked now: pending deferred checks forbid ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with owner_mode():  # migrations are the tables' owner's (crm/rls.py)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)


def test_campaign_texts_become_links_where_they_name_one_campaign(tenant, other_tenant):
    bahar = make_campaign(tenant, name="Bahar 2026")
    make_campaign(tenant, name="Çifte", objective="acquisition")
    make_campaign(tenant, name="çifte ", objective="acquisition")  # two of that name
    make_campaign(tenant, name="Sadakat", objective="retention")
    make_campaign(other_tenant, name="Yaz")  # another company's
    leads = {
        text: make_lead(tenant, first_name=text or "Boş").pk
        for text in (" bahar 2026", "Çifte", "Sadakat", "Yaz", "Fuar", "")
    }
    migrate(BEFORE)
    with connection.cursor() as cursor:
        for text, pk in leads.items():
            cursor.execute("UPDATE acquisition_lead SET campaign = %s WHERE id = %s", [text, pk])
        cursor.execute("DELETE FROM acquisition_acquisitioncost")
        cursor.executemany(
            "INSERT INTO acquisition_acquisitioncost (tenant_id, month, channel, campaign, amount,"
            " note, updated_at) VALUES (%s, %s, %s, %s, %s, %s, now())",
            [
                (tenant.pk, "2026-01-01", "web", "Bahar 2026", "600.00", ""),
                (tenant.pk, "2026-01-01", "web", "Fuar", "50.00", "stant"),
                (tenant.pk, "2026-01-01", "web", "Yaz", "25.00", ""),
                (tenant.pk, "2026-01-01", "web", "", "400.00", "genel"),
                (tenant.pk, "2026-02-01", "event", "Fuar", "70.00", ""),
            ],
        )
    migrate(AFTER)

    with scopes_disabled():
        found = {
            text: (lead.campaign_id, lead.source_detail)
            for text, pk in leads.items()
            for lead in [Lead.objects.get(pk=pk)]
        }
        costs = {
            (str(cost.month), cost.channel, cost.campaign_id): (cost.amount, cost.note)
            for cost in AcquisitionCost.objects.filter(tenant=tenant)
        }
    assert found == {
        " bahar 2026": (bahar.pk, ""),
        "Çifte": (None, "Çifte"),
        "Sadakat": (None, "Sadakat"),
        "Yaz": (None, "Yaz"),
        "Fuar": (None, "Fuar"),
        "": (None, ""),
    }
    # The channel's January total stays 1075.00; the texts that named no campaign are noted.
    assert costs == {
        ("2026-01-01", "web", bahar.pk): (Decimal("600.00"), ""),
        ("2026-01-01", "web", None): (
            Decimal("475.00"), "Fuar: 50.00 · stant; Yaz: 25.00; genel",
        ),
        ("2026-02-01", "event", None): (Decimal("70.00"), "Fuar: 70.00"),
    }  # fmt: skip
