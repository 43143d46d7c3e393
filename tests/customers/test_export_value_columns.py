"""The customer export speaks the user's language and carries the list's value columns: tier,
score, revenue of 12 months, last purchase and last contact, loaded per chunk of customers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from customers import exporting
from customers.activity import customer_activity_refresh
from segmentation.services import scores_recompute
from tests.factories import CustomerFactory, TransactionFactory
from tests.segmentation.factories import use_keys, use_tiers

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def scored(tenant):
    use_keys(tenant, ("revenue", 1, "min_max"))
    use_tiers(tenant, 50, 50)
    now = timezone.now()
    big = CustomerFactory(tenant=tenant, first_name="Büyük", external_id="B1", consent_sms=True)
    small = CustomerFactory(tenant=tenant, first_name="Küçük", external_id="K1")
    TransactionFactory(customer=big, amount=Decimal("1500.50"), occurred_at=now - timedelta(days=3))
    TransactionFactory(
        customer=small, amount=Decimal("100.00"), occurred_at=now - timedelta(days=3)
    )
    scores_recompute(tenant=tenant, now=now)
    customer_activity_refresh(tenant=tenant)
    return big, small


def test_english_export_has_the_value_columns(manager_client, tenant, scored):
    rows = _rows(manager_client.get(reverse("customers:export", kwargs={"tenant_slug": "anadolu"})))
    big = next(row for row in rows if row["external_id"] == "B1")
    small = next(row for row in rows if row["external_id"] == "K1")
    assert (big["Tier"], big["Score"], big["Revenue (12 months)"]) == (
        "Level 1",
        "100,0000",
        "1500,50",
    )
    assert (small["Tier"], small["Score"]) == ("Level 2", "0,0000")


def test_turkish_export_has_turkish_headers_and_words(manager_client, tenant, scored):
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    rows = _rows(manager_client.get(reverse("customers:export", kwargs={"tenant_slug": "anadolu"})))
    big = next(row for row in rows if row["Müşteri No"] == "B1")
    assert big["Ad"] == "Büyük"
    assert big["Katman"] == "Kat 1"
    assert big["Ciro (12 ay)"] == "1500,50"
    assert "evet" in big.values()


def test_value_columns_cost_one_query_per_loader_and_chunk(
    tenant_scope, scored, monkeypatch, django_assert_num_queries, django_assert_max_num_queries
):
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 1)

    def export() -> str:
        return "".join(
            exporting._customer_lines(
                tenant=tenant_scope, params={}, turkish_excel=True, role="manager"
            )
        )

    with django_assert_max_num_queries(50) as two:
        assert export().count("\r\n") == 3
    CustomerFactory(tenant=tenant_scope, external_id="Y1")
    # one chunk more (of one customer): the scores (tier and score share the loader) and the
    # activity (revenue, last purchase, last contact share theirs): two queries
    with django_assert_num_queries(len(two.captured_queries) + 2):
        export()
