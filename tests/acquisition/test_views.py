"""The staff screens: the board and its quick actions, the list's filters, a new lead with
duplicate detection, a lead's page, costs and the report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from acquisition.models import AcquisitionCost, Lead, LeadSource, LeadStatus
from acquisition.services import lead_status_change, lead_update
from crm.models import AuditEntry
from customers.models import Customer
from tests.acquisition.conftest import make_campaign, make_lead
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"acquisition:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def status_of(lead) -> str:
    with scopes_disabled():
        return Lead.objects.get(pk=lead.pk).status


# --- board ---


def test_the_board_shows_each_status_with_its_count(sales_client, tenant):
    first, second = make_lead(tenant), make_lead(tenant, first_name="Mert")
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=second, status="contacted")

    response = sales_client.get(url("board", tenant))

    columns = {column.status: column for column in response.context["columns"]}
    assert [c.status for c in response.context["columns"]] == [
        "new", "contacted", "qualified", "won", "lost",
    ]  # fmt: skip
    assert (columns["new"].count, columns["contacted"].count, columns["won"].count) == (1, 1, 0)
    assert columns["new"].leads == [first]


def test_the_board_puts_the_most_urgent_next_step_first(sales_client, tenant):
    later, sooner, none = make_lead(tenant), make_lead(tenant), make_lead(tenant)
    today = timezone.localdate()
    with scopes_disabled():
        lead_update(
            tenant=tenant,
            actor=None,
            lead=later,
            next_step="Ara",
            next_step_due=today + timedelta(days=5),
        )
        lead_update(tenant=tenant, actor=None, lead=sooner, next_step="Ara", next_step_due=today)

    response = sales_client.get(url("board", tenant))

    assert response.context["columns"][0].leads == [sooner, later, none]


def test_my_leads_shows_only_mine(sales_client, sales_user, tenant):
    mine = make_lead(tenant, owner=sales_user)
    make_lead(tenant)
    response = sales_client.get(url("board", tenant) + "?mine=1")
    assert response.context["columns"][0].leads == [mine]


def test_the_board_costs_the_same_queries_with_more_leads(sales_client, tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def board_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            sales_client.get(url("board", tenant))
        return len(captured.captured_queries)

    make_lead(tenant)
    sales_client.get(url("board", tenant))  # session and language settle on the first visit
    with_one = board_queries()
    for number in range(12):
        lead = make_lead(tenant, first_name=f"Kişi {number}")
        with scopes_disabled():
            lead_status_change(tenant=tenant, actor=None, lead=lead, status="contacted")
    assert board_queries() == with_one


def test_show_more_brings_the_next_cards_of_one_column(sales_client, tenant):
    leads = [make_lead(tenant, first_name=f"Kişi {number}") for number in range(3)]
    page = sales_client.get(url("board", tenant) + "?column=new&offset=1", HTTP_HX_REQUEST="true")
    assert page.templates[0].name == "acquisition/_board_cards.html"
    column = page.context["column"]
    assert (column.offset, column.count, column.leads) == (1, 3, leads[1:])
    body = page.content.decode()
    # The cards write the lead's URLs without reverse(): they must be the real ones.
    assert f'href="{url("detail", tenant, lead_id=leads[1].pk)}"' in body
    assert f'action="{url("status", tenant, lead_id=leads[1].pk)}"' in body
    assert "No leads." not in body


def test_the_board_shows_a_page_of_each_column_and_offers_more(sales_client, tenant):
    from acquisition.selectors import BOARD_COLUMN_SIZE

    for number in range(BOARD_COLUMN_SIZE + 2):
        make_lead(tenant, first_name=f"Kişi {number}")
    response = sales_client.get(url("board", tenant))
    new = response.context["columns"][0]
    assert (len(new.leads), new.more, new.may_show_more) == (BOARD_COLUMN_SIZE, 2, True)
    body = response.content.decode()
    assert f"?column=new&amp;offset={BOARD_COLUMN_SIZE}" in body
    assert "{#" not in body and "comment" not in body  # a template comment shown as text
    rest = sales_client.get(
        url("board", tenant) + f"?column=new&offset={BOARD_COLUMN_SIZE}", HTTP_HX_REQUEST="true"
    )
    assert len(rest.context["column"].leads) == 2
    assert 'data-testid="more-new"' not in rest.content.decode()


def test_a_bad_show_more_gets_the_board(sales_client, tenant):
    response = sales_client.get(
        url("board", tenant) + "?column=maybe&offset=-3", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.templates[0].name == "acquisition/_board.html"


def test_a_quick_action_moves_the_lead_and_answers_with_the_board(sales_client, sales_user, tenant):
    lead = make_lead(tenant)
    response = sales_client.post(
        url("status", tenant, lead_id=lead.pk), {"status": "contacted"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.templates[0].name == "acquisition/_board.html"
    assert status_of(lead) == LeadStatus.CONTACTED
    assert "is now Contacted" in response.content.decode()
    with scopes_disabled():
        assert AuditEntry.objects.get(action="acquisition.lead.status_changed").actor == sales_user


def test_losing_without_a_reason_says_why_on_the_board(sales_client, tenant):
    lead = make_lead(tenant)
    response = sales_client.post(
        url("status", tenant, lead_id=lead.pk), {"status": "lost"}, HTTP_HX_REQUEST="true"
    )
    assert "Say why the lead was lost." in response.content.decode()
    assert status_of(lead) == LeadStatus.NEW


def test_a_forbidden_move_is_a_message_not_an_error(sales_client, tenant):
    lead = make_lead(tenant)
    response = sales_client.post(url("status", tenant, lead_id=lead.pk), {"status": "qualified"})
    assert response.status_code == 302
    assert status_of(lead) == LeadStatus.NEW


def test_an_unknown_status_is_a_message_not_an_error(sales_client, tenant):
    lead = make_lead(tenant)
    response = sales_client.post(
        url("status", tenant, lead_id=lead.pk), {"status": "maybe"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert status_of(lead) == LeadStatus.NEW


# --- list ---


def test_the_list_filters_by_status_and_source(sales_client, tenant):
    event = make_lead(tenant, source="event")
    referral = make_lead(tenant, source="referral")
    with scopes_disabled():
        lead_status_change(tenant=tenant, actor=None, lead=referral, status="contacted")

    by_status = sales_client.get(url("list", tenant) + "?status=contacted")
    by_source = sales_client.get(url("list", tenant) + "?source=event")

    assert by_status.context["page"].object_list == [referral]
    assert by_source.context["page"].object_list == [event]


def test_the_list_searches_the_customers_name_and_email(sales_client, tenant):
    wanted = make_lead(tenant, first_name="Gülşen", email="gulsen@example.com")
    make_lead(tenant, first_name="Mert")
    assert sales_client.get(url("list", tenant) + "?q=Gülşen").context["page"].object_list == [
        wanted
    ]
    assert sales_client.get(url("list", tenant) + "?q=gulsen@").context["page"].object_list == [
        wanted
    ]


def test_the_list_filters_by_campaign_and_shows_it(sales_client, tenant, campaign):
    linked = make_lead(tenant, campaign=campaign, source_detail="Stant 4")
    make_lead(tenant)
    response = sales_client.get(url("list", tenant) + f"?campaign={campaign.pk}")
    assert response.context["page"].object_list == [linked]
    assert "Bahar 2026" in response.content.decode()
    assert "Stant 4" in response.content.decode()
    board = sales_client.get(url("board", tenant)).content.decode()
    assert "Bahar 2026" in board


def test_another_companys_campaign_is_no_filter(sales_client, tenant, other_campaign):
    make_lead(tenant)
    response = sales_client.get(url("list", tenant) + f"?campaign={other_campaign.pk}")
    assert response.status_code == 200
    assert response.context["filterset"].form.errors["campaign"]


def test_a_bad_filter_value_is_ignored_not_an_error(sales_client, tenant):
    response = sales_client.get(url("list", tenant) + "?created_from=dün&owner=x")
    assert response.status_code == 200


# --- new lead ---

NEW_LEAD = {
    "kind": "person",
    "first_name": "Selin",
    "last_name": "Koç",
    "email": "selin@example.com",
    "phone": "",
    "tax_number": "",
    "city": "",
    "source": "event",
    "campaign": "",
    "source_detail": "Fuar",
    "owner": "",
    "next_step": "Teklif gönder",
    "next_step_due": "",
    "notes": "",
}


def test_a_new_lead_is_saved_with_its_pipeline_data(sales_client, sales_user, tenant, campaign):
    response = sales_client.post(
        url("create", tenant), {**NEW_LEAD, "owner": sales_user.pk, "campaign": campaign.pk}
    )
    with scopes_disabled():
        lead = Lead.objects.select_related("customer").get(tenant=tenant)
    assert response.url == url("detail", tenant, lead_id=lead.pk)
    assert (lead.campaign, lead.source_detail, lead.next_step, lead.owner) == (
        campaign, "Fuar", "Teklif gönder", sales_user,
    )  # fmt: skip
    assert lead.customer.owner == sales_user


def test_the_new_lead_form_offers_only_the_companys_acquisition_campaigns(
    sales_client, tenant, campaign, other_campaign
):
    make_campaign(tenant, name="Sadakat", objective="retention")
    form = sales_client.get(url("create", tenant)).context["form"]
    assert list(form.fields["campaign"].queryset) == [campaign]
    response = sales_client.post(url("create", tenant), {**NEW_LEAD, "campaign": other_campaign.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["campaign"]
    with scopes_disabled():
        assert not Lead.objects.filter(tenant=tenant).exists()


def test_a_known_email_is_shown_before_saving(sales_client, tenant):
    known = CustomerFactory(tenant=tenant, email="selin@example.com")
    response = sales_client.post(url("create", tenant), NEW_LEAD)
    assert response.status_code == 200
    assert [d.customer for d in response.context["duplicates"]] == [known]
    assert "save_duplicate" in response.context["form"].fields
    with scopes_disabled():
        assert not Lead.objects.filter(tenant=tenant).exists()


def test_a_known_tax_number_is_a_duplicate_too(sales_client, tenant):
    CustomerFactory(tenant=tenant, tax_number="10000000146")
    response = sales_client.post(
        url("create", tenant), {**NEW_LEAD, "email": "", "tax_number": "10000000146"}
    )
    assert [d.field for d in response.context["duplicates"]] == ["tax_number"]


def test_saving_anyway_creates_the_second_person(sales_client, tenant):
    CustomerFactory(tenant=tenant, email="selin@example.com")
    response = sales_client.post(url("create", tenant), {**NEW_LEAD, "save_duplicate": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant, email="selin@example.com").count() == 2


def test_another_tenants_customer_is_not_a_duplicate(sales_client, tenant, other_tenant):
    CustomerFactory(tenant=other_tenant, email="selin@example.com")
    response = sales_client.post(url("create", tenant), NEW_LEAD)
    assert response.status_code == 302


def test_a_bad_tax_number_is_a_form_error(sales_client, tenant):
    response = sales_client.post(url("create", tenant), {**NEW_LEAD, "tax_number": "12345678901"})
    assert response.status_code == 200
    assert response.context["form"].errors["tax_number"]


# --- a lead's page ---


def test_the_lead_page_saves_the_next_step(sales_client, tenant):
    lead = make_lead(tenant)
    data = {
        "source": "event",
        "campaign": "",
        "source_detail": "",
        "owner": "",
        "next_step": "Ziyaret",
        "next_step_due": "2026-12-01",
        "notes": "",
    }
    response = sales_client.post(url("detail", tenant, lead_id=lead.pk), data)
    assert response.status_code == 302
    with scopes_disabled():
        lead.refresh_from_db()
    assert (lead.next_step, str(lead.next_step_due)) == ("Ziyaret", "2026-12-01")


def test_winning_from_the_lead_page_converts(sales_client, tenant):
    lead = make_lead(tenant)
    response = sales_client.post(url("status", tenant, lead_id=lead.pk), {"status": "won"})
    assert response.status_code == 302
    with scopes_disabled():
        lead.customer.refresh_from_db()
    assert (status_of(lead), lead.customer.lifecycle_stage) == ("won", "new")


def test_the_lead_page_links_the_lead_to_a_campaign_of_the_company_only(
    sales_client, tenant, campaign, other_campaign
):
    lead = make_lead(tenant)
    data = {"source": "campaign", "campaign": other_campaign.pk, "source_detail": "",
            "owner": "", "next_step": "", "next_step_due": "", "notes": ""}  # fmt: skip
    response = sales_client.post(url("detail", tenant, lead_id=lead.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors["campaign"]
    response = sales_client.post(
        url("detail", tenant, lead_id=lead.pk), {**data, "campaign": campaign.pk}
    )
    assert response.status_code == 302
    with scopes_disabled():
        lead.refresh_from_db()
    assert lead.campaign == campaign
    page = sales_client.get(url("detail", tenant, lead_id=lead.pk)).content.decode()
    assert "Bahar 2026" in page


def test_the_customer_page_shows_the_lead_and_the_preference_link(sales_client, tenant):
    lead = make_lead(tenant)
    page = sales_client.get(
        reverse(
            "customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": lead.customer_id}
        )
    ).content.decode()
    assert url("detail", tenant, lead_id=lead.pk) in page
    assert f"/p/{tenant.slug}/preferences/" in page


def test_the_customer_page_names_the_leads_status_and_campaign(sales_client, tenant, campaign):
    lead = make_lead(tenant, source=LeadSource.CAMPAIGN, campaign=campaign)
    page = sales_client.get(
        reverse(
            "customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": lead.customer_id}
        )
    ).content.decode()
    assert "Bahar 2026" in page
    assert lead.get_status_display() in page


# --- costs ---


def test_a_manager_enters_a_months_cost(manager_client, manager_user, tenant):
    data = {"month": "2026-10", "channel": "web", "campaign": "", "amount": "1500.50", "note": ""}
    response = manager_client.post(url("costs", tenant), data)
    assert response.status_code == 302
    with scopes_disabled():
        cost = AcquisitionCost.objects.get(tenant=tenant)
    assert (str(cost.month), cost.amount, cost.entered_by) == (
        "2026-10-01",
        Decimal("1500.50"),
        manager_user,
    )


def test_entering_the_same_month_again_replaces_it(manager_client, tenant):
    data = {"month": "2026-10", "channel": "web", "campaign": "", "amount": "100", "note": ""}
    manager_client.post(url("costs", tenant), data)
    manager_client.post(url("costs", tenant), {**data, "amount": "250"})
    with scopes_disabled():
        assert list(
            AcquisitionCost.objects.filter(tenant=tenant).values_list("amount", flat=True)
        ) == [Decimal("250.00")]


def test_a_negative_cost_is_a_form_error(manager_client, tenant):
    data = {"month": "2026-10", "channel": "web", "campaign": "", "amount": "-5", "note": ""}
    response = manager_client.post(url("costs", tenant), data)
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]


def test_deleting_a_cost_asks_first_then_says_what_it_did(manager_client, tenant):
    with scopes_disabled():
        cost = AcquisitionCost.objects.create(
            tenant=tenant, month="2026-10-01", channel="web", amount="10.00"
        )
    confirm = manager_client.get(url("cost_delete", tenant, cost_id=cost.pk))
    assert "Delete this cost?" in confirm.content.decode()
    with scopes_disabled():
        assert AcquisitionCost.objects.filter(pk=cost.pk).exists()
    response = manager_client.post(url("cost_delete", tenant, cost_id=cost.pk), follow=True)
    assert "is deleted" in response.content.decode()
    with scopes_disabled():
        assert not AcquisitionCost.objects.filter(pk=cost.pk).exists()
        assert AuditEntry.objects.filter(action="acquisition.cost.deleted").count() == 1


def test_the_report_with_a_bad_period_falls_back_and_says_so(manager_client, tenant):
    response = manager_client.get(url("report", tenant) + "?start=2026-10&end=2026-01")
    assert response.status_code == 200
    assert response.context["form"].errors["end"]


def test_a_cost_is_entered_for_a_campaign_of_the_company_only(
    manager_client, tenant, campaign, other_campaign
):
    data = {"month": "2026-10", "channel": "web", "campaign": other_campaign.pk,
            "amount": "100", "note": ""}  # fmt: skip
    response = manager_client.post(url("costs", tenant), data)
    assert response.context["form"].errors["campaign"]
    manager_client.post(url("costs", tenant), {**data, "campaign": campaign.pk})
    manager_client.post(url("costs", tenant), {**data, "campaign": "", "amount": "5"})
    with scopes_disabled():
        costs = AcquisitionCost.objects.filter(tenant=tenant).order_by("amount")
        assert [(c.campaign, c.amount) for c in costs] == [
            (None, Decimal("5.00")), (campaign, Decimal("100.00")),
        ]  # fmt: skip


def test_a_cost_typed_the_turkish_way_is_read_right(manager_client, tenant):
    manager_client.cookies["django_language"] = "tr"
    data = {"month": "2026-10", "channel": "web", "campaign": "", "amount": "1.500,50", "note": ""}
    assert manager_client.post(url("costs", tenant), data).status_code == 302
    with scopes_disabled():
        assert AcquisitionCost.objects.get(tenant=tenant).amount == Decimal("1500.50")


def test_a_long_column_is_counted_up_to_the_limit(sales_client, tenant, monkeypatch):
    from acquisition import selectors

    monkeypatch.setattr(selectors, "BOARD_COUNT_LIMIT", 2)
    for number in range(3):
        make_lead(tenant, first_name=f"Kişi {number}")
    response = sales_client.get(url("board", tenant))
    new = response.context["columns"][0]
    assert (new.count, new.count_is_capped) == (3, True)
    assert 'data-testid="count-new">2+<' in response.content.decode()


def test_the_home_page_lists_my_next_steps_due_this_week(sales_client, sales_user, tenant):
    today = timezone.localdate(timezone=tenant.zone)
    overdue = make_lead(tenant, owner=sales_user, first_name="Geciken")
    soon = make_lead(tenant, owner=sales_user, first_name="Yakın")
    later = make_lead(tenant, owner=sales_user, first_name="Uzak")
    someone_elses = make_lead(tenant, first_name="Başkası")
    with scopes_disabled():
        for lead, days in ((overdue, -2), (soon, 3), (later, 30), (someone_elses, 0)):
            lead_update(
                tenant=tenant, actor=None, lead=lead, next_step="Ara",
                next_step_due=today + timedelta(days=days),
            )  # fmt: skip
    response = sales_client.get(reverse("tenant_home", kwargs={"tenant_slug": tenant.slug}))
    (section,) = [s["context"] for s in response.context["sections"] if "leads" in s["context"]]
    assert section["leads"] == [overdue, soon]
    assert "My leads: next steps" in response.content.decode()


def test_the_lead_page_shows_its_history(sales_client, sales_user, tenant):
    lead = make_lead(tenant)
    sales_client.post(url("status", tenant, lead_id=lead.pk), {"status": "contacted"})
    sales_client.post(
        url("status", tenant, lead_id=lead.pk), {"status": "lost", "reason": "Pahalı"}
    )
    response = sales_client.get(url("detail", tenant, lead_id=lead.pk))
    history = response.context["history"]
    assert [event.action for event in history] == ["status_changed", "status_changed", "created"]
    assert (history[0].from_label, history[0].to_label, history[0].actor) == (
        "Contacted", "Lost", sales_user,
    )  # fmt: skip
    assert "Contacted → Lost" in response.content.decode()
