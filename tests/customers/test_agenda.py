"""The rep's day on the home page: follow-ups with due dates and owners (overdue, due today,
ticked off), complaints waiting (overdue marked by the company's rule), and high-value customers
not contacted for the company's number of days (segmentation's section)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.models import AuditEntry
from customers import selectors, services
from customers.activity import customer_activity_refresh
from customers.forms import InteractionForm
from customers.models import AgendaSettings, Interaction
from segmentation.agenda import quiet_high_value_customers
from tests.factories import CustomerFactory, FeedbackFactory, InteractionFactory
from tests.segmentation.factories import use_tiers

pytestmark = pytest.mark.django_db


def _follow_up(customer, owner, *, due_in_days: int, done: bool = False) -> Interaction:
    today = timezone.localdate()
    return InteractionFactory(
        customer=customer,
        subject=f"Geri ara ({due_in_days})",
        outcome="follow_up",
        follow_up_on=today + timedelta(days=due_in_days),
        follow_up_owner=owner,
        follow_up_done_at=timezone.now() if done else None,
    )


def test_agenda_holds_my_overdue_and_due_follow_ups_oldest_first(
    tenant_scope, customer, sales_user, manager_user
):
    late = _follow_up(customer, sales_user, due_in_days=-3)
    today = _follow_up(customer, sales_user, due_in_days=0)
    _follow_up(customer, sales_user, due_in_days=2)  # not due yet
    _follow_up(customer, sales_user, due_in_days=-1, done=True)  # done
    _follow_up(customer, manager_user, due_in_days=-5)  # someone else's
    agenda = selectors.follow_up_agenda(tenant=tenant_scope, user=sales_user)
    assert [item.pk for item in agenda.items] == [late.pk, today.pk]
    assert (agenda.overdue, agenda.due_today) == (1, 1)


def test_home_shows_the_follow_up_marked_overdue(sales_client, customer, sales_user):
    _follow_up(customer, sales_user, due_in_days=-2)
    content = sales_client.get("/anadolu/").content.decode()
    assert "Geri ara (-2)" in content
    assert "1 overdue" in content


def test_done_takes_the_follow_up_off_the_agenda_and_is_audited(sales_client, customer, sales_user):
    follow_up = _follow_up(customer, sales_user, due_in_days=-1)
    url = reverse(
        "customers:follow_up_done", kwargs={"tenant_slug": "anadolu", "contact_id": follow_up.pk}
    )
    response = sales_client.post(url, follow=True)
    assert "done" in " ".join(str(m) for m in response.context["messages"])
    with scopes_disabled():
        follow_up.refresh_from_db()
        assert follow_up.follow_up_done_at is not None
        assert AuditEntry.objects.filter(action="customers.follow_up.done").count() == 1
    sales_client.post(url)  # twice: nothing more happens
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="customers.follow_up.done").count() == 1


def test_done_of_another_tenants_follow_up_is_404(other_tenant_client, customer, sales_user):
    follow_up = _follow_up(customer, sales_user, due_in_days=0)
    url = reverse(
        "customers:follow_up_done", kwargs={"tenant_slug": "anadolu", "contact_id": follow_up.pk}
    )
    assert other_tenant_client.post(url).status_code == 404


def test_done_for_an_outsider_is_404(outsider_client, customer, sales_user):
    follow_up = _follow_up(customer, sales_user, due_in_days=0)
    url = reverse(
        "customers:follow_up_done", kwargs={"tenant_slug": "anadolu", "contact_id": follow_up.pk}
    )
    assert outsider_client.post(url).status_code == 404


def test_done_is_post_only(sales_client, customer, sales_user):
    follow_up = _follow_up(customer, sales_user, due_in_days=0)
    url = reverse(
        "customers:follow_up_done", kwargs={"tenant_slug": "anadolu", "contact_id": follow_up.pk}
    )
    assert sales_client.get(url).status_code == 405


def test_follow_up_needed_asks_for_a_date(tenant_scope):
    form = InteractionForm(
        {
            "channel": "phone",
            "direction": "outbound",
            "occurred_at": "2026-11-30 10:00",
            "subject": "Arama",
            "outcome": "follow_up",
        },
        members=selectors.tenant_members(tenant=tenant_scope),
    )
    assert "follow_up_on" in form.errors


def test_a_follow_up_without_owner_is_the_loggers(tenant_scope, customer, sales_user):
    contact = services.interaction_log(
        tenant=tenant_scope,
        actor=sales_user,
        customer=customer,
        channel="phone",
        subject="Arama",
        outcome="follow_up",
        follow_up_on=timezone.localdate(),
    )
    assert contact.follow_up_owner == sales_user


def test_a_follow_up_owner_from_another_company_is_refused(
    tenant_scope, customer, sales_user, other_tenant_admin
):
    with pytest.raises(services.CustomerError):
        services.interaction_log(
            tenant=tenant_scope,
            actor=sales_user,
            customer=customer,
            channel="phone",
            subject="Arama",
            follow_up_on=timezone.localdate(),
            follow_up_owner=other_tenant_admin,
        )


def test_feedback_list_marks_feedback_past_the_companys_answer_time(sales_client, tenant, customer):
    with scopes_disabled():
        AgendaSettings.objects.create(tenant=tenant, feedback_overdue_days=2)
    FeedbackFactory(
        customer=customer, text="Eski şikayet", opened_at=timezone.now() - timedelta(days=3)
    )
    FeedbackFactory(
        customer=customer, text="Yeni şikayet", opened_at=timezone.now() - timedelta(days=1)
    )
    content = sales_client.get(
        reverse("customers:feedback_list", kwargs={"tenant_slug": "anadolu"})
    ).content.decode()
    old_row = content[content.index("Eski şikayet") - 1200 : content.index("Eski şikayet")]
    new_row = content[content.index("Yeni şikayet") - 1200 : content.index("Yeni şikayet")]
    assert content.count("feedback-overdue") == 1
    assert "feedback-overdue" in old_row and "feedback-overdue" not in new_row.split("<tr")[-1]


# --- high-value customers not contacted (segmentation's section) ---


def _scored(customer, tier):
    from segmentation.models import CustomerScore, ScoreRun

    with scopes_disabled():
        run = ScoreRun.objects.filter(tenant=customer.tenant).first() or ScoreRun.objects.create(
            tenant=customer.tenant, trigger="manual", status="succeeded"
        )
        CustomerScore.objects.create(
            tenant=customer.tenant, customer=customer, run=run, status="active", tier=tier
        )


def test_quiet_high_value_customers_are_mine_in_the_top_tiers_and_quiet(
    tenant_scope, sales_user, manager_user
):
    tenant = tenant_scope
    AgendaSettings.objects.create(tenant=tenant, quiet_days=60, high_value_tiers=2)
    peak, second, base = use_tiers(tenant, 10, 30, 60)
    now = timezone.now()
    quiet = CustomerFactory(tenant=tenant, owner=sales_user, first_name="Sessiz")
    never = CustomerFactory(tenant=tenant, owner=sales_user, first_name="Hiç")
    recent = CustomerFactory(tenant=tenant, owner=sales_user, first_name="Yeni")
    low = CustomerFactory(tenant=tenant, owner=sales_user, first_name="Alt")
    others = CustomerFactory(tenant=tenant, owner=manager_user, first_name="Başkası")
    for who, tier in ((quiet, peak), (never, second), (recent, peak), (low, base), (others, peak)):
        _scored(who, tier)
    InteractionFactory(customer=quiet, occurred_at=now - timedelta(days=61))
    InteractionFactory(customer=recent, occurred_at=now - timedelta(days=59))
    InteractionFactory(customer=low, occurred_at=now - timedelta(days=200))
    customer_activity_refresh(tenant=tenant)
    found = quiet_high_value_customers(tenant=tenant, user=sales_user)
    assert [score.customer.first_name for score in found["customers"]] == ["Hiç", "Sessiz"]
    assert found["quiet_days"] == 60


def test_home_shows_quiet_high_value_customers_with_the_days(sales_client, tenant, sales_user):
    (peak,) = use_tiers(tenant, 100)
    who = CustomerFactory(tenant=tenant, owner=sales_user, first_name="Sessiz", last_name="Müşteri")
    _scored(who, peak)
    content = sales_client.get("/anadolu/").content.decode()
    assert "High-value customers not contacted for 60 days" in content
    assert "Sessiz Müşteri" in content and "never contacted" in content
