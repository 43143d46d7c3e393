"""Export of personal data (KVKK data minimisation): managers and admins by default, sales staff
only where the company allows it; every export is audited (who, which filter, how many rows)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.models import AuditEntry
from customers.exporting import audited
from tests.factories import CustomerFactory, TransactionFactory

EXPORT_URLS = ["export", "export_transactions", "export_transactions_form"]


def url(name: str, tenant) -> str:
    return reverse(f"customers:{name}", kwargs={"tenant_slug": tenant.slug})


def audit_entries(action: str) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=action).select_related("actor"))


@pytest.mark.parametrize("name", EXPORT_URLS)
def test_sales_staff_may_not_export_by_default(sales_client, tenant, name):
    assert sales_client.get(url(name, tenant)).status_code == 403


@pytest.mark.parametrize("name", EXPORT_URLS)
@pytest.mark.parametrize("client_name", ["manager_client", "admin_client_"])
def test_managers_and_admins_may_export(request, tenant, name, client_name):
    client = request.getfixturevalue(client_name)

    assert client.get(url(name, tenant)).status_code == 200


@pytest.mark.parametrize("name", EXPORT_URLS)
def test_a_company_may_allow_its_sales_staff_to_export(sales_client, tenant, name):
    tenant.sales_may_export = True
    tenant.save()

    assert sales_client.get(url(name, tenant)).status_code == 200


def test_another_companys_grant_does_not_count(sales_client, tenant, other_tenant):
    other_tenant.sales_may_export = True
    other_tenant.save()

    assert sales_client.get(url("export", tenant)).status_code == 403


@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
@pytest.mark.parametrize("name", EXPORT_URLS)
def test_strangers_get_404(request, tenant, stranger, name):
    assert request.getfixturevalue(stranger).get(url(name, tenant)).status_code == 404


def test_the_list_offers_export_only_to_who_may(sales_client, manager_client, tenant):
    export = url("export", tenant)
    list_url = url("list", tenant)

    assert export not in sales_client.get(list_url).content.decode()
    assert export in manager_client.get(list_url).content.decode()
    tenant.sales_may_export = True
    tenant.save()
    assert export in sales_client.get(list_url).content.decode()


def test_a_customer_export_is_audited_with_who_the_filter_and_the_rows(
    manager_client, manager_user, tenant
):
    for external_id in ("A1", "A2"):
        CustomerFactory(tenant=tenant, external_id=external_id, lifecycle_stage="active")
    CustomerFactory(tenant=tenant, external_id="P1", lifecycle_stage="prospect")

    response = manager_client.get(url("export", tenant) + "?lifecycle_stage=active&format=comma")
    b"".join(response.streaming_content)

    [entry] = audit_entries("customers.customers.exported")
    assert entry.actor == manager_user
    assert entry.tenant_id == tenant.pk
    assert entry.data == {"filter": {"lifecycle_stage": "active"}, "rows": 2, "complete": True}


def test_a_transaction_export_is_audited(manager_client, manager_user, tenant):
    TransactionFactory(tenant=tenant, customer=CustomerFactory(tenant=tenant))

    response = manager_client.get(url("export_transactions", tenant) + "?date_from=2000-01-01")
    b"".join(response.streaming_content)

    [entry] = audit_entries("customers.transactions.exported")
    assert entry.actor == manager_user
    assert entry.data == {
        "filter": {"date_from": "2000-01-01", "date_to": None},
        "rows": 1,
        "complete": True,
    }


def test_a_download_broken_off_is_audited_as_incomplete(manager_user, tenant):
    lines = audited(
        iter(["header\r\n", "row 1\r\n", "row 2\r\n"]),
        tenant=tenant,
        actor=manager_user,
        action="customers.customers.exported",
        details={"filter": {}},
    )

    next(lines), next(lines)  # the header and one row, then the browser goes away
    lines.close()  # what the server does with the response's iterator

    [entry] = audit_entries("customers.customers.exported")
    assert (entry.data["rows"], entry.data["complete"]) == (1, False)


def test_the_export_command_is_audited_without_a_user(tenant, tmp_path):
    from django.core.management import call_command

    CustomerFactory(tenant=tenant, external_id="C1")

    call_command("export_customers", "--tenant", tenant.slug, "-o", str(tmp_path / "out.csv"))

    [entry] = audit_entries("customers.customers.exported")
    assert (entry.actor, entry.data["rows"]) == (None, 1)


def test_granting_export_to_sales_in_the_admin_is_audited(admin_client_, admin_user, tenant):
    admin_client_.get(reverse("configuration_enter", kwargs={"tenant_slug": tenant.slug}))
    change = reverse("admin:crm_tenant_change", args=[tenant.pk])
    form = admin_client_.get(change).context["adminform"].form
    data = {name: form.initial[name] for name in form.fields if form.initial.get(name)}
    data["sales_may_export"] = "on"

    response = admin_client_.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    tenant.refresh_from_db()
    assert tenant.sales_may_export is True
    [entry] = audit_entries("crm.tenant.sales_export_changed")
    assert (entry.actor, entry.data) == (admin_user, {"sales_may_export": True})
