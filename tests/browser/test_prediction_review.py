"""The relationship review in a real browser: a manager ends an unprofitable relationship."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import LifecycleStage
from prediction.services.review import relationship_review_refresh
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory, InteractionFactory, TransactionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_ends_an_unprofitable_relationship(
    page, live_server, tenant, manager_user, console_errors
):
    customer = CustomerFactory(tenant=tenant, first_name="Zarar", last_name="Eden")
    TransactionFactory(
        customer=customer,
        amount=Decimal("100"),
        cost=Decimal("95"),
        occurred_at=timezone.now() - timedelta(days=5),
    )
    InteractionFactory(customer=customer, occurred_at=timezone.now() - timedelta(days=3))
    relationship_review_refresh(tenant=tenant)  # margin 5 − (25 + 10) = −30
    sign_in(page, live_server, manager_user)

    page.goto(live_server.url + reverse("prediction:review", kwargs={"tenant_slug": tenant.slug}))
    card = page.locator(f"#flag-{customer.pk}")
    assert "Unprofitable" in card.inner_text()
    assert serious_violations(page) == []
    assert "Margin 5.00 − cost to serve 35.00 = -30.00" in card.inner_text()
    card.get_by_label("Action").select_option("terminate")
    card.get_by_label("Reason").fill("Hizmet maliyeti kârı aşıyor")
    card.get_by_role("button", name="Decide").click()
    assert "Confirm to end the relationship." in page.content()  # refused without the tick

    card = page.locator(f"#flag-{customer.pk}")
    card.get_by_label("Action").select_option("terminate")
    card.get_by_label("Reason").fill("Hizmet maliyeti kârı aşıyor")
    card.get_by_label("Confirm ending the relationship").check()
    card.get_by_role("button", name="Decide").click()

    assert "relationship ended; the customer is now terminated" in page.content()
    assert page.locator(f"#flag-{customer.pk}").count() == 0
    customer.refresh_from_db()
    assert customer.lifecycle_stage == LifecycleStage.TERMINATED
    assert console_errors == []
