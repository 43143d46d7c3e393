"""The customer list's actions: owner and tag for a selection (one UPDATE, audited, says how
many), and saved views per user; who may, and another company's customers untouched."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.models import AuditEntry
from customers import list_actions
from customers.models import Customer, SavedView
from tests.factories import CustomerFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _url(name: str, tenant_slug: str = "anadolu", **kwargs) -> str:
    return reverse(f"customers:{name}", kwargs={"tenant_slug": tenant_slug, **kwargs})


def _fresh(customer) -> Customer:
    with scopes_disabled():
        return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def rep(tenant):
    return MembershipFactory(
        tenant=tenant, user__username="rep2", user__first_name="Can", user__last_name="Er"
    ).user


def test_assign_owner_changes_the_selected_and_says_how_many(sales_client, tenant, rep):
    a, b, untouched = (CustomerFactory(tenant=tenant) for _ in range(3))
    response = sales_client.post(
        _url("bulk_action"),
        {
            "action": "owner",
            "owner": rep.pk,
            "customers": [a.pk, b.pk],
            "next": _url("list") + "?region=Ege",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("list") + "?region=Ege"
    assert _fresh(a).owner == rep and _fresh(b).owner == rep
    assert _fresh(untouched).owner is None
    messages = [str(m) for m in sales_client.get(_url("list")).context["messages"]]
    assert "Owner changed for 2 customers." in messages
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="customers.bulk.owner_assigned")
    assert entry.data["changed"] == 2


def test_add_tag_adds_it_once(tenant_scope, sales_user):
    tagged = CustomerFactory(tenant=tenant_scope, tags=["vip"])
    plain = CustomerFactory(tenant=tenant_scope, tags=["toptan"])
    changed = list_actions.customers_add_tag(
        tenant=tenant_scope, actor=sales_user, customer_ids=[tagged.pk, plain.pk], tag=" vip "
    )
    assert changed == 1
    assert _fresh(tagged).tags == ["vip"]
    assert _fresh(plain).tags == ["toptan", "vip"]


def test_another_companys_customers_are_never_changed(sales_client, tenant, other_customer, rep):
    sales_client.post(
        _url("bulk_action"), {"action": "owner", "owner": rep.pk, "customers": [other_customer.pk]}
    )
    assert _fresh(other_customer).owner is None


def test_an_owner_from_another_company_is_refused(tenant_scope, sales_user, other_tenant_admin):
    customer = CustomerFactory(tenant=tenant_scope)
    with pytest.raises(list_actions.ListActionError):
        list_actions.customers_assign_owner(
            tenant=tenant_scope,
            actor=sales_user,
            customer_ids=[customer.pk],
            owner=other_tenant_admin,
        )


def test_an_empty_selection_is_an_error_message_not_a_500(sales_client, tenant):
    response = sales_client.post(_url("bulk_action"), {"action": "tag", "tag": "vip"}, follow=True)
    assert response.status_code == 200
    assert "Select at least one customer." in [str(m) for m in response.context["messages"]]


def test_a_bad_selection_is_a_form_error(sales_client, tenant):
    response = sales_client.post(
        _url("bulk_action"), {"action": "tag", "tag": "vip", "customers": ["x"]}, follow=True
    )
    assert "The selection is not valid." in [str(m) for m in response.context["messages"]]


def test_next_pointing_elsewhere_goes_back_to_the_list(sales_client, tenant):
    response = sales_client.post(
        _url("bulk_action"), {"action": "tag", "tag": "v", "next": "https://example.com/"}
    )
    assert response["Location"] == _url("list")


def test_bulk_action_is_404_for_another_tenants_member(other_tenant_client, tenant):
    assert other_tenant_client.post(_url("bulk_action"), {"action": "tag"}).status_code == 404


def test_bulk_action_is_404_for_an_outsider(outsider_client, tenant):
    assert outsider_client.post(_url("bulk_action"), {"action": "tag"}).status_code == 404


def test_bulk_action_is_post_only(sales_client, tenant):
    assert sales_client.get(_url("bulk_action")).status_code == 405


# --- saved views ---


def test_saving_a_view_keeps_its_filters_and_shows_it_to_its_owner_only(
    sales_client, manager_client, tenant, sales_user
):
    response = sales_client.post(
        _url("saved_view_create"), {"name": "Platin ve Altın", "query": "tier=1&tier=2&quiet=60"}
    )
    assert response["Location"] == _url("list") + "?tier=1&tier=2&quiet=60"
    with scopes_disabled():
        view = SavedView.objects.get()
    assert (view.user, view.name) == (sales_user, "Platin ve Altın")
    assert "Platin ve Altın" in sales_client.get(_url("list")).content.decode()
    assert "Platin ve Altın" not in manager_client.get(_url("list")).content.decode()


def test_saving_under_the_same_name_replaces_the_view(sales_client, tenant):
    sales_client.post(_url("saved_view_create"), {"name": "Benim", "query": "region=Ege"})
    sales_client.post(_url("saved_view_create"), {"name": "Benim", "query": "region=Marmara"})
    with scopes_disabled():
        assert list(SavedView.objects.values_list("query", flat=True)) == ["region=Marmara"]


def test_a_view_without_a_name_is_refused(sales_client, tenant):
    response = sales_client.post(_url("saved_view_create"), {"name": " "}, follow=True)
    assert "Give the view a name." in [str(m) for m in response.context["messages"]]


def test_deleting_a_view_asks_first_then_says_so(sales_client, tenant, sales_user):
    with scopes_disabled():
        view = SavedView.objects.create(tenant=tenant, user=sales_user, name="Eski", query="")
    url = _url("saved_view_delete", view_id=view.pk)
    assert "Delete the view “Eski”?" in sales_client.get(url).content.decode()
    response = sales_client.post(url, follow=True)
    assert "View “Eski” deleted." in [str(m) for m in response.context["messages"]]
    with scopes_disabled():
        assert not SavedView.objects.exists()


def test_someone_elses_view_is_404(manager_client, tenant, sales_user):
    with scopes_disabled():
        view = SavedView.objects.create(tenant=tenant, user=sales_user, name="Benim", query="")
    assert manager_client.post(_url("saved_view_delete", view_id=view.pk)).status_code == 404


def test_saved_view_pages_are_404_for_another_tenant_and_outsiders(
    other_tenant_client, outsider_client, tenant
):
    assert other_tenant_client.post(_url("saved_view_create"), {"name": "x"}).status_code == 404
    assert outsider_client.post(_url("saved_view_create"), {"name": "x"}).status_code == 404


def test_deleting_a_view_is_404_for_another_tenant_and_outsiders(
    other_tenant_client, outsider_client, tenant, sales_user
):
    with scopes_disabled():
        view = SavedView.objects.create(tenant=tenant, user=sales_user, name="Benim", query="")
    url = _url("saved_view_delete", view_id=view.pk)
    for client in (other_tenant_client, outsider_client):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    with scopes_disabled():
        assert SavedView.objects.filter(pk=view.pk).exists()
