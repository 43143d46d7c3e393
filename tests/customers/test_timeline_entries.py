"""The customer page's timeline entries, drawn by `{% timeline_entry %}` (Python, not the template
language): what each kind of entry says, escaped, in the user's language and time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope

from customers.selectors import Timeline, TimelineEntry
from tests.factories import (
    FeedbackFactory,
    InteractionFactory,
    TransactionFactory,
)

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)  # 12:30 in Istanbul


def draw(tenant, *entries: TimelineEntry, language: str = "en") -> str:
    context = {
        "timeline": Timeline(entries=list(entries), has_more=False),
        "customer": None,
        "current_tenant": tenant,
    }
    with translation.override(language), timezone.override("Europe/Istanbul"):
        return render_to_string("customers/_timeline_entries.html", context)


def entry(kind: str, item, when: datetime = WHEN, template_name: str = "") -> TimelineEntry:
    return TimelineEntry(kind, when, item, template_name)


def test_a_purchase_shows_kind_amount_product_quantity_channel_and_margin(tenant, customer):
    sale = TransactionFactory(
        customer=customer,
        amount=Decimal("1250.50"),
        cost=Decimal("1000.00"),
        quantity=Decimal("2.5"),
        channel="field",
    )
    with scope(tenant=tenant):
        html = draw(tenant, entry("purchase", sale), language="tr")

    assert '<span class="badge text-bg-primary">Satın alma</span>' in html
    assert "<strong>1.250,50\u00a0₺</strong>" in html
    assert '<span class="text-body-secondary">× 2,500</span>' in html
    assert "Saha satışı · kâr 250,50\u00a0₺</div>" in html
    assert "İade edildi" not in html and "Geç ödendi" not in html


def test_a_refunded_purchase_paid_late_says_so(tenant, customer):
    sale = TransactionFactory(
        customer=customer,
        status="refunded",
        due_date=WHEN.date(),
        paid_date=WHEN.date() + timedelta(days=3),
    )
    with scope(tenant=tenant):
        html = draw(tenant, entry("purchase", sale))

    assert '<span class="badge text-bg-warning">Refunded</span>' in html
    assert '<span class="badge text-bg-danger">Paid late</span>' in html
    assert "× " not in html  # a quantity of one is not repeated


def test_a_contact_shows_channel_subject_outcome_direction_who_and_notes_escaped(
    tenant, customer, sales_user
):
    contact = InteractionFactory(
        customer=customer,
        subject="Teklif <b>2026</b>",
        outcome="follow_up",
        direction="inbound",
        user=sales_user,
        notes="İlk satır\n<script>x</script>",
    )
    with scope(tenant=tenant):
        html = draw(tenant, entry("contact", contact))

    assert '<span class="badge text-bg-secondary">Phone</span>' in html
    assert "<strong>Teklif &lt;b&gt;2026&lt;/b&gt;</strong>" in html
    assert '<span class="badge text-bg-light border">Follow-up needed</span>' in html
    name = sales_user.get_full_name() or sales_user.get_username()
    assert f"Inbound (customer contacted us) · {name}</div>" in html
    assert '<div class="small">İlk satır<br>&lt;script&gt;x&lt;/script&gt;</div>' in html


def test_a_feedback_links_its_page_with_scores_assignee_and_resolution_time(
    tenant, customer, sales_user
):
    feedback = FeedbackFactory(
        customer=customer,
        kind="praise",
        text=" ".join(f"söz{number}" for number in range(20)),
        nps_score=9,
        satisfaction_score=5,
        assignee=sales_user,
        status="resolved",
        opened_at=WHEN - timedelta(days=2),
        resolved_at=WHEN,
    )
    with scope(tenant=tenant):
        html = draw(tenant, entry("feedback", feedback, when=feedback.opened_at))

    url = reverse(
        "customers:feedback_detail", kwargs={"tenant_slug": tenant.slug, "feedback_id": feedback.pk}
    )
    assert '<span class="badge text-bg-success">Praise</span>' in html
    assert f'<a href="{url}">söz0 söz1' in html and "söz15 …</a>" in html
    assert '<span class="badge text-bg-light border">Resolved</span>' in html
    name = sales_user.get_full_name() or sales_user.get_username()
    words = re.sub(r"[ \n]+", " ", html)  # as the browser shows it
    assert f"NPS 9 · satisfaction 5/5 · assigned to {name} · resolved in 2\u00a0days" in words


def test_a_feedback_without_text_says_so(tenant, customer):
    feedback = FeedbackFactory(customer=customer, text="", kind="complaint")
    with scope(tenant=tenant):
        html = draw(tenant, entry("feedback", feedback))

    assert '<span class="badge text-bg-danger">Complaint</span>' in html
    assert "(no text)</a>" in html
    assert "NPS" not in html and "resolved in" not in html


def test_a_registered_source_draws_its_entry_with_its_own_template(tenant, customer):
    sale = TransactionFactory(customer=customer)
    contact = SimpleNamespace(
        campaign=SimpleNamespace(name="Yaz <indirimi>"),
        get_channel_display=lambda: "SMS",
        get_status_display=lambda: "Sent",
        sent_at=None,
        clicked_at=None,
        outcome="",
        reason="",
        cost=None,
    )
    with scope(tenant=tenant):
        html = draw(
            tenant,
            entry("purchase", sale),
            entry("campaign", contact, template_name="campaigns/_timeline_entry.html"),
        )

    assert html.count("<li>") == 2
    assert "<strong>Yaz &lt;indirimi&gt;</strong>" in html
    assert '<span class="badge text-bg-light border">SMS · Sent</span>' in html


def test_each_entry_is_dated_in_the_users_time_zone(tenant, customer):
    sale = TransactionFactory(customer=customer)
    with scope(tenant=tenant):
        html = draw(tenant, entry("purchase", sale))

    assert (
        '<time class="small text-body-secondary text-nowrap" datetime="2026-03-05T12:30:00+03:00">'
        in html
    )
