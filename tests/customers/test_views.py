"""The sales staff's pages: isolation and roles for every URL, then what each page does."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.models import AuditEntry, Role
from crm.tenancy import permissions
from customers.models import (
    ConsentRecord,
    Customer,
    Feedback,
    FeedbackStatus,
    Interaction,
    Transaction,
)
from customers.selectors import EXACT_COUNT_LIMIT
from tests.factories import (
    CompanyCustomerFactory,
    CustomerFactory,
    FeedbackFactory,
    InteractionFactory,
    TransactionFactory,
)

CUSTOMER_URLS = [
    ("get", "detail"),
    ("get", "edit"),
    ("post", "edit"),
    ("get", "archive"),
    ("post", "archive"),
    ("get", "restore"),
    ("post", "restore"),
    ("get", "timeline"),
    ("post", "log_contact"),
    ("post", "record_sale"),
    ("post", "open_feedback"),
    ("post", "record_consent"),
]
FEEDBACK_URLS = [
    ("get", "feedback_detail"),
    ("post", "feedback_update"),
    ("post", "feedback_resolve"),
]
TENANT_URLS = [
    ("get", "list"),
    ("get", "create"),
    ("post", "create"),
    ("get", "picker"),
    ("get", "duplicate_check"),
    ("get", "feedback_list"),
]


def _url(name, tenant_slug="anadolu", **kwargs):
    return reverse(f"customers:{name}", kwargs={"tenant_slug": tenant_slug, **kwargs})


@pytest.fixture
def feedback(customer):
    return FeedbackFactory(customer=customer, text="Kargo hasarlı geldi.")


@pytest.fixture
def other_feedback(other_customer):
    return FeedbackFactory(customer=other_customer)


def _all_urls(customer, feedback):
    urls = [(method, _url(name)) for method, name in TENANT_URLS]
    urls += [(method, _url(name, customer_id=customer.pk)) for method, name in CUSTOMER_URLS]
    urls += [(method, _url(name, feedback_id=feedback.pk)) for method, name in FEEDBACK_URLS]
    return urls


# --- isolation and roles for every URL --------------------------------------------------------


def test_member_of_other_tenant_gets_404_on_every_url(other_tenant_client, customer, feedback):
    for method, url in _all_urls(customer, feedback):
        response = getattr(other_tenant_client, method)(url)
        assert response.status_code == 404, (method, url)


def test_outsider_gets_404_on_every_url(outsider_client, customer, feedback):
    for method, url in _all_urls(customer, feedback):
        response = getattr(outsider_client, method)(url)
        assert response.status_code == 404, (method, url)


def test_anonymous_is_sent_to_login_from_every_url(client, customer, feedback):
    for method, url in _all_urls(customer, feedback):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


@pytest.mark.parametrize(("method", "name"), CUSTOMER_URLS)
def test_customer_of_other_tenant_through_own_url_gets_404(
    sales_client, other_customer, method, name
):
    response = getattr(sales_client, method)(_url(name, customer_id=other_customer.pk))
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "name"), FEEDBACK_URLS)
def test_feedback_of_other_tenant_through_own_url_gets_404(
    sales_client, other_feedback, method, name
):
    response = getattr(sales_client, method)(_url(name, feedback_id=other_feedback.pk))
    assert response.status_code == 404


def test_every_url_declares_a_permission(customer, feedback):
    for _method, url in _all_urls(customer, feedback):
        view = resolve(url).func
        assert getattr(view, "required_permission", None) in ("customers.view", "customers.edit")


def test_role_without_the_permission_gets_403_on_every_url(
    sales_client, customer, feedback, monkeypatch
):
    # Every role holds customers.view/edit today; raise both to admin to see the check bite.
    monkeypatch.setitem(permissions.PERMISSIONS, "customers.view", Role.ADMIN)
    monkeypatch.setitem(permissions.PERMISSIONS, "customers.edit", Role.ADMIN)
    for method, url in _all_urls(customer, feedback):
        response = getattr(sales_client, method)(url)
        assert response.status_code == 403, (method, url)


def test_role_with_view_but_not_edit_gets_403_on_changes(
    sales_client, customer, feedback, monkeypatch
):
    monkeypatch.setitem(permissions.PERMISSIONS, "customers.edit", Role.MANAGER)
    assert sales_client.get(_url("detail", customer_id=customer.pk)).status_code == 200
    assert sales_client.post(_url("archive", customer_id=customer.pk)).status_code == 403
    assert sales_client.post(_url("feedback_resolve", feedback_id=feedback.pk)).status_code == 403


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_the_tenants_customers_only(sales_client, customer, other_customer):
    response = sales_client.get(_url("list"))
    assert b"Ay\xc5\x9fe Y\xc4\xb1lmaz" in response.content
    assert b"Ege Tekstil" not in response.content


def test_list_search_is_turkish_correct(sales_client, tenant):
    CompanyCustomerFactory(tenant=tenant, company_name="İstanbul Kırtasiye")
    CompanyCustomerFactory(tenant=tenant, company_name="Bursa Kırtasiye")
    response = sales_client.get(_url("list"), {"q": "istanbul"})
    assert "İstanbul Kırtasiye" in response.content.decode()
    assert "Bursa Kırtasiye" not in response.content.decode()


def test_htmx_request_gets_only_the_results_partial(sales_client, customer):
    response = sales_client.get(_url("list"), HTTP_HX_REQUEST="true")
    assert next(t.name for t in response.templates) == "customers/_list_results.html"
    assert b"<html" not in response.content


def test_list_page_includes_the_import_export_actions(sales_client, customer):
    response = sales_client.get(_url("list"))
    assert "customers/_list_actions.html" in [t.name for t in response.templates]


def test_list_says_so_when_nothing_matches(sales_client, customer):
    response = sales_client.get(_url("list"), {"q": "zzzz"})
    assert "No customer matches these filters." in response.content.decode()


def test_list_pages_without_counting(sales_client, tenant, django_assert_num_queries):
    for index in range(30):
        CompanyCustomerFactory(tenant=tenant, company_name=f"Firma {index:02d}")
    response = sales_client.get(_url("list"), {"page": "2"})
    page = response.context["page"]
    assert [c.display_name for c in page.object_list][:2] == ["Firma 25", "Firma 26"]
    assert page.has_next is False and page.has_previous is True


def test_list_query_count_does_not_grow_with_customers(
    sales_client, tenant, sales_user, django_assert_num_queries
):
    CustomerFactory(tenant=tenant, owner=sales_user)
    sales_client.get(_url("list"))  # warm the session and caches
    # user, the memberships (tenant, role and the menu's switcher; the session comes from the
    # cache), customers (owner joined), owner choices of the filter form, the tier choices, one
    # query per column loader (scores, activity), the saved views (the bulk owner choice lists
    # the filter's members),
    # the other apps' filter choices: none grows with the page. (One page holds them all: it
    # tells the total itself.)
    with django_assert_num_queries(8) as few:
        sales_client.get(_url("list"))
    for _ in range(20):
        CustomerFactory(tenant=tenant, owner=sales_user)
    with django_assert_num_queries(len(few.captured_queries)):
        sales_client.get(_url("list"))


def test_list_reads_the_owner_choices_without_a_server_side_cursor(
    sales_client, tenant, sales_user, django_assert_max_num_queries
):
    CustomerFactory(tenant=tenant, owner=sales_user)
    with django_assert_max_num_queries(20) as queries:
        response = sales_client.get(_url("list"))
    # A dozen members do not need DECLARE, FETCH and CLOSE (three round trips per list page).
    assert not [q for q in queries.captured_queries if q["sql"].startswith("DECLARE")]
    name = sales_user.get_full_name() or sales_user.get_username()
    assert f'<option value="{sales_user.pk}">{name}</option>' in response.content.decode()


def test_list_counts_only_within_a_limit(
    sales_client, tenant, customer, django_assert_max_num_queries
):
    for index in range(30):  # more than a page: the page alone does not tell the total
        CompanyCustomerFactory(tenant=tenant, company_name=f"Firma {index:02d}")
    with django_assert_max_num_queries(20) as queries:
        sales_client.get(_url("list"))
    counts = [q["sql"].upper() for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all(f"LIMIT {EXACT_COUNT_LIMIT + 1}" in sql for sql in counts)


# --- create and edit ---------------------------------------------------------------------------


def _person(**overrides):
    data = {
        "kind": "person",
        "first_name": "Mehmet",
        "last_name": "Öztürk",
        "country": "TR",
        "city": "ankara",
        "lifecycle_stage": "new",
        "preferred_language": "tr",
    }
    return {**data, **overrides}


def test_create_adds_the_customer_and_opens_their_page(sales_client, tenant):
    response = sales_client.post(_url("create"), _person())
    with scopes_disabled():
        customer = Customer.objects.get(tenant=tenant, last_name="Öztürk")
    assert response.status_code == 302
    assert response.url == _url("detail", customer_id=customer.pk)
    assert (customer.city, customer.region) == ("Ankara", "İç Anadolu")


def test_create_with_errors_shows_them_next_to_the_fields(sales_client):
    response = sales_client.post(_url("create"), _person(tax_number="10000000147"))
    assert response.status_code == 200
    assert "tax_number" in response.context["form"].errors
    assert "is-invalid" in response.content.decode()


def test_create_with_an_email_of_another_customer_warns_but_saves(sales_client, customer, tenant):
    with scopes_disabled():
        Customer.objects.filter(pk=customer.pk).update(email="ortak@example.com")
    response = sales_client.post(_url("create"), _person(email="ortak@example.com"), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Ayşe Yılmaz" in message for message in messages)
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant, email="ortak@example.com").count() == 2


def test_duplicate_check_links_to_the_other_customer(sales_client, customer):
    with scopes_disabled():
        Customer.objects.filter(pk=customer.pk).update(tax_number="10000000146")
    response = sales_client.get(_url("duplicate_check"), {"tax_number": "10000000146"})
    assert _url("detail", customer_id=customer.pk) in response.content.decode()


def test_duplicate_check_ignores_the_customer_being_edited(sales_client, customer):
    with scopes_disabled():
        Customer.objects.filter(pk=customer.pk).update(tax_number="10000000146")
    response = sales_client.get(
        _url("duplicate_check"), {"tax_number": "10000000146", "exclude": customer.pk}
    )
    assert response.content.strip() == b""


def test_edit_saves_changes(sales_client, customer):
    response = sales_client.post(
        _url("edit", customer_id=customer.pk),
        _person(first_name="Ayşe", last_name="Yılmaz", industry="Gıda"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Customer.objects.get(pk=customer.pk).industry == "Gıda"


def test_edit_terminating_without_reason_shows_the_error(sales_client, customer):
    response = sales_client.post(
        _url("edit", customer_id=customer.pk), _person(lifecycle_stage="terminated")
    )
    assert "termination_reason" in response.context["form"].errors


def test_picker_offers_the_tenants_customers_only(sales_client, tenant, other_tenant):
    CustomerFactory(tenant=tenant, first_name="Şule", last_name="Ak")
    CustomerFactory(tenant=other_tenant, first_name="Şule", last_name="Başka")
    response = sales_client.get(_url("picker"), {"q": "sule"})
    assert "Şule Ak" in response.content.decode()
    assert "Şule Başka" not in response.content.decode()


# --- archive and restore -------------------------------------------------------------------------


def test_archive_page_asks_before_archiving(sales_client, customer):
    response = sales_client.get(_url("archive", customer_id=customer.pk))
    with scopes_disabled():
        assert Customer.objects.get(pk=customer.pk).archived_at is None
    assert "Archive" in response.content.decode()


def test_archive_post_archives_and_says_so(sales_client, customer):
    response = sales_client.post(_url("archive", customer_id=customer.pk), follow=True)
    with scopes_disabled():
        assert Customer.objects.get(pk=customer.pk).archived_at is not None
    assert any("archived" in str(m) for m in response.context["messages"])


def test_restore_post_brings_the_customer_back(sales_client, customer):
    with scopes_disabled():
        Customer.objects.filter(pk=customer.pk).update(archived_at=timezone.now())
    sales_client.post(_url("restore", customer_id=customer.pk))
    with scopes_disabled():
        assert Customer.objects.get(pk=customer.pk).archived_at is None


def test_restoring_an_active_customer_shows_an_error(sales_client, customer):
    response = sales_client.post(_url("restore", customer_id=customer.pk), follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])


# --- the customer page -----------------------------------------------------------------------


def test_customer_page_shows_totals_timeline_and_referrals(sales_client, tenant, customer):
    TransactionFactory(customer=customer, amount=Decimal("1250.00"), cost=Decimal("1000.00"))
    InteractionFactory(customer=customer, subject="Fiyat teklifi verildi")
    CustomerFactory(tenant=tenant, first_name="Tavsiye", last_name="Edilen", referred_by=customer)
    response = sales_client.get(_url("detail", customer_id=customer.pk))
    html = response.content.decode()
    assert response.context["totals"].revenue == Decimal("1250.00")
    assert "Fiyat teklifi verildi" in html
    assert "Tavsiye Edilen" in html


def test_customer_page_renders_registered_panels(sales_client, customer, monkeypatch):
    from customers import panels

    monkeypatch.setattr(panels, "_panels", {})
    panels.register_customer_panel(
        panels.CustomerPanel(
            key="test",
            title="Test panel",
            template_name="includes/messages.html",
            get_context=lambda **kwargs: {"seen": True},
            column="main",
        )
    )
    response = sales_client.get(_url("detail", customer_id=customer.pk))
    assert 'id="panel-test"' in response.content.decode()


def test_customer_page_with_500_purchases_runs_a_fixed_number_of_queries(
    sales_client, tenant, customer, django_assert_num_queries, monkeypatch
):
    from customers import panels, timeline

    # Other apps' panels and timeline sources count their own queries.
    monkeypatch.setattr(panels, "_panels", {})
    monkeypatch.setattr(timeline, "_sources", {})
    now = timezone.now()
    with scopes_disabled():
        Transaction.objects.bulk_create(
            Transaction(
                tenant=tenant,
                customer=customer,
                amount=Decimal("10.00"),
                occurred_at=now - timedelta(hours=index),
            )
            for index in range(500)
        )
    # user, the memberships (tenant, role and the menu's switcher; the session comes from the
    # cache); customer; timeline (3: purchases, contacts, feedback); totals (1 aggregate);
    # consent (1); referrals (1);
    # the open tab's form (log a contact: member choices, 1; the other tabs' forms load when
    # opened); session save (3). None grows with purchases.
    with django_assert_num_queries(13):
        response = sales_client.get(_url("detail", customer_id=customer.pk))
    assert response.context["totals"].orders == 500
    assert len(response.context["timeline"].entries) == 20


def test_timeline_more_returns_older_entries(sales_client, customer):
    now = timezone.now()
    for day in range(25):
        TransactionFactory(customer=customer, occurred_at=now - timedelta(days=day))
    first = sales_client.get(_url("detail", customer_id=customer.pk)).context["timeline"]
    response = sales_client.get(
        _url("timeline", customer_id=customer.pk), {"before": first.next_before.isoformat()}
    )
    assert len(response.context["timeline"].entries) == 5


# --- quick actions -----------------------------------------------------------------------------


def test_log_contact_with_htmx_swaps_timeline_and_totals(sales_client, customer, sales_user):
    response = sales_client.post(
        _url("log_contact", customer_id=customer.pk),
        {
            "contact-channel": "phone",
            "contact-direction": "outbound",
            "contact-occurred_at": "2026-03-01T10:30",
            "contact-subject": "Yeni katalog",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'id="customer-timeline" hx-swap-oob="true"' in html
    assert 'id="customer-totals" hx-swap-oob="true"' in html
    with scopes_disabled():
        assert Interaction.objects.get(customer=customer).user == sales_user


def test_log_contact_errors_stay_in_the_form(sales_client, customer):
    response = sales_client.post(
        _url("log_contact", customer_id=customer.pk),
        {"contact-channel": "phone", "contact-direction": "outbound"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "hx-swap-oob" not in html
    assert "is-invalid" in html


@pytest.mark.parametrize(
    "action, field",
    [
        ("record_sale", "sale-amount"),
        ("open_feedback", "feedback-kind"),
        ("record_consent", "consent-channel"),
    ],
)
def test_a_quick_action_tab_loads_its_form_when_opened(sales_client, customer, action, field):
    page = sales_client.get(_url("detail", customer_id=customer.pk)).content.decode()
    assert 'name="contact-channel"' in page  # the open tab's form comes with the page
    assert f'name="{field}"' not in page
    assert f'hx-get="{_url(action, customer_id=customer.pk)}"' in page
    fragment = sales_client.get(_url(action, customer_id=customer.pk), HTTP_HX_REQUEST="true")
    assert f'name="{field}"' in fragment.content.decode()
    # Without htmx (a bookmarked or reloaded fragment URL) the customer page opens instead.
    assert sales_client.get(_url(action, customer_id=customer.pk)).status_code == 302


def test_record_sale_updates_totals(sales_client, customer):
    response = sales_client.post(
        _url("record_sale", customer_id=customer.pk),
        {
            "sale-occurred_at": "2026-03-01T10:30",
            "sale-amount": "1234.56",
            "sale-cost": "1000.00",
            "sale-currency": "try",
            "sale-quantity": "2",
            "sale-status": "completed",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.context["totals"].revenue == Decimal("1234.56")
    assert response.context["totals"].margin == Decimal("234.56")
    with scopes_disabled():
        assert Transaction.objects.get(customer=customer).currency == "TRY"


def test_record_sale_for_an_archived_customer_shows_why_not(sales_client, customer):
    with scopes_disabled():
        Customer.objects.filter(pk=customer.pk).update(archived_at=timezone.now())
    response = sales_client.post(
        _url("record_sale", customer_id=customer.pk),
        {
            "sale-occurred_at": "2026-03-01T10:30",
            "sale-amount": "10",
            "sale-currency": "TRY",
            "sale-quantity": "1",
            "sale-status": "completed",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "archived" in response.content.decode()
    with scopes_disabled():
        assert not Transaction.objects.filter(customer=customer).exists()


def test_open_feedback_from_the_customer_page(sales_client, customer, sales_user):
    sales_client.post(
        _url("open_feedback", customer_id=customer.pk),
        {"feedback-kind": "complaint", "feedback-text": "Fatura hatalı", "feedback-assignee": ""},
        HTTP_HX_REQUEST="true",
    )
    with scopes_disabled():
        feedback = Feedback.objects.get(customer=customer)
    assert (feedback.status, feedback.created_by) == (FeedbackStatus.OPEN, sales_user)


def test_record_consent_updates_the_consent_panel(sales_client, customer):
    response = sales_client.post(
        _url("record_consent", customer_id=customer.pk),
        {
            "consent-channel": "sms",
            "consent-granted": "1",
            "consent-source": "iys",
            "consent-recorded_at": "2026-01-10T09:00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'id="customer-consent" hx-swap-oob="true"' in response.content.decode()
    with scopes_disabled():
        assert Customer.objects.get(pk=customer.pk).consent_sms is True
        assert ConsentRecord.objects.filter(customer=customer, channel="sms").count() == 1


def test_quick_action_without_htmx_redirects_back(sales_client, customer):
    response = sales_client.post(
        _url("log_contact", customer_id=customer.pk),
        {
            "contact-channel": "email",
            "contact-direction": "inbound",
            "contact-occurred_at": "2026-03-01T10:30",
            "contact-subject": "Soru",
        },
    )
    assert response.status_code == 302
    assert response.url == _url("detail", customer_id=customer.pk)


# --- feedback ------------------------------------------------------------------------------------


def test_feedback_list_shows_open_complaints(sales_client, feedback):
    response = sales_client.get(_url("feedback_list"))
    assert "Kargo hasarlı geldi." in response.content.decode()


def test_feedback_list_htmx_returns_the_results_partial(sales_client, feedback):
    response = sales_client.get(_url("feedback_list"), HTTP_HX_REQUEST="true")
    assert next(t.name for t in response.templates) == "customers/feedback/_results.html"


def test_feedback_list_query_count_does_not_grow(
    sales_client, customer, sales_user, django_assert_num_queries
):
    FeedbackFactory(customer=customer, assignee=sales_user)
    sales_client.get(_url("feedback_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        sales_client.get(_url("feedback_list"))
    for _ in range(10):
        FeedbackFactory(customer=CustomerFactory(tenant=customer.tenant), assignee=sales_user)
    with django_assert_num_queries(len(few.captured_queries)):
        sales_client.get(_url("feedback_list"))


def test_assign_and_start_feedback(sales_client, feedback, sales_user):
    sales_client.post(
        _url("feedback_update", feedback_id=feedback.pk),
        {"status": "in_progress", "assignee": sales_user.pk},
    )
    with scopes_disabled():
        feedback.refresh_from_db()
    assert (feedback.status, feedback.assignee) == ("in_progress", sales_user)


def test_resolve_feedback_shows_time_to_resolution(sales_client, feedback):
    with scopes_disabled():
        Feedback.objects.filter(pk=feedback.pk).update(opened_at=timezone.now() - timedelta(days=2))
    response = sales_client.post(
        _url("feedback_resolve", feedback_id=feedback.pk),
        {"resolution": "Yeni ürün gönderildi"},
        follow=True,
    )
    with scopes_disabled():
        feedback.refresh_from_db()
    assert feedback.status == "resolved"
    assert "Time to resolution" in response.content.decode()
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="customers.feedback.resolved").exists()


def test_resolve_without_text_shows_the_error_in_place(sales_client, feedback):
    response = sales_client.post(
        _url("feedback_resolve", feedback_id=feedback.pk), {"resolution": ""}
    )
    assert "resolution" in response.context["resolve_form"].errors


# --- home page and navigation ----------------------------------------------------------------


def test_home_shows_complaints_assigned_to_me(sales_client, customer, sales_user):
    FeedbackFactory(customer=customer, assignee=sales_user)
    response = sales_client.get("/anadolu/")
    assert "Complaints assigned to me" in response.content.decode()
    assert "Ayşe Yılmaz" in response.content.decode()


def test_menu_has_customers_and_feedback(sales_client, customer):
    html = sales_client.get(_url("list")).content.decode()
    assert f'href="{_url("list")}"' in html
    assert f'href="{_url("feedback_list")}"' in html


def test_edit_form_checks_duplicates_without_the_customer_itself(sales_client, customer):
    response = sales_client.get(_url("edit", customer_id=customer.pk))
    assert f'hx-get="{_url("duplicate_check")}?exclude={customer.pk}"' in response.content.decode()


def test_back_button_history_restore_gets_the_whole_page(sales_client, customer):
    response = sales_client.get(
        _url("list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert next(t.name for t in response.templates) == "customers/list.html"
