"""The campaign main path in a real browser: a manager creates a campaign, schedules it, it
starts at once (the worker runs inline here), and its page shows who was contacted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from customers.models import LifecycleStage
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_creates_schedules_and_sees_results(
    page, live_server, tenant, manager_user, console_errors, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for number in range(3):
        CustomerFactory(
            tenant=tenant,
            lifecycle_stage=LifecycleStage.ACTIVE,
            email=f"alici{number}@example.com",
            consent_email=True,
        )
    sign_in(page, live_server, manager_user)
    page.goto(live_server.url + reverse("campaigns:list", kwargs={"tenant_slug": tenant.slug}))
    assert serious_violations(page) == []
    page.get_by_role("link", name="New campaign").click()

    page.get_by_label("Name").fill("Kış indirimi")
    page.get_by_label("Objective").select_option("retention")
    page.get_by_label("Audience").select_option("stage")
    page.get_by_label("Lifecycle stage").select_option("active")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Offer text (Turkish)").fill("Merhaba {name}, kışa özel %20 indirim.")
    page.get_by_label("Ends").fill(
        (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Send from").fill("00:00")
    page.get_by_label("Send until").fill("23:59")
    page.get_by_label("Control group (%)").fill("0")
    page.get_by_role("button", name="Save as draft").click()

    page.wait_for_url("**/campaigns/*/")
    page.get_by_role("link", name="Schedule").click()
    page.get_by_role("button", name="Yes, go ahead").click()
    page.wait_for_url("**/campaigns/*/")
    assert page.locator("#campaign-status").inner_text() == "Running"
    assert (
        "3 customers: 3 to contact, 0 in the control group."
        in page.locator("#start-summary").inner_text()
    )
    contacted_row = page.locator("#campaign-results tbody tr").first
    assert contacted_row.locator("td").nth(1).inner_text() == "3"  # contacted
    assert len(mail.outbox) == 3
    assert console_errors == []
