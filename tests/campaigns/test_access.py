"""Every campaign URL: 404 for members of other tenants and outsiders, 403 for a role without
the permission, the page for a role with it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import CampaignStatus, Channel, Recipient, RecipientGroup, RecipientStatus
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db
ROLE_CLIENTS = {"admin": "admin_client_", "manager": "manager_client", "sales": "sales_client"}
MANAGERS = {"admin", "manager"}
EVERYONE = {"admin", "manager", "sales"}

# (url name, kwargs needing the fixture's ids, method, roles allowed)
PAGES = [
    ("campaigns:list", [], "get", MANAGERS),
    ("campaigns:create", [], "get", MANAGERS),
    ("campaigns:rules", [], "get", MANAGERS),
    ("campaigns:calls", [], "get", EVERYONE),
    ("campaigns:detail", ["campaign_id"], "get", MANAGERS),
    ("campaigns:edit", ["campaign_id"], "get", MANAGERS),
    ("campaigns:action", ["campaign_id", "action"], "get", MANAGERS),
    ("campaigns:mail_export", ["campaign_id"], "post", MANAGERS),
    ("campaigns:sms_outbox_export", ["campaign_id"], "post", MANAGERS),
    ("campaigns:call_log", ["recipient_id"], "post", EVERYONE),
    ("campaigns:suppression_add", ["customer_id"], "post", EVERYONE),
    ("campaigns:suppression_remove", ["customer_id"], "get", EVERYONE),
]


@pytest.fixture
def world(tenant, admin_user, manager_user, sales_user):
    customer = reachable(tenant, phone="+905321112233", consent_phone=True)
    campaign = CampaignFactory(tenant=tenant, channels=[Channel.CALL], status=CampaignStatus.DRAFT)
    recipient = Recipient.objects.with_scopes_disabled().create(
        tenant=tenant,
        campaign=campaign,
        customer=customer,
        group=RecipientGroup.TARGET,
        channel=Channel.CALL,
        status=RecipientStatus.QUEUED,
    )
    return {
        "campaign_id": campaign.pk,
        "customer_id": customer.pk,
        "recipient_id": recipient.pk,
        "action": "schedule",
    }


def url_for(name, keys, world, tenant):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **{k: world[k] for k in keys}})


@pytest.mark.parametrize(("name", "keys", "method", "_roles"), PAGES)
@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_strangers_get_404(request, world, tenant, name, keys, method, _roles, stranger):
    client = request.getfixturevalue(stranger)
    url = url_for(name, keys, world, tenant)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(("name", "keys", "method", "allowed"), PAGES)
@pytest.mark.parametrize("role", ["admin", "manager", "sales"])
def test_each_role_gets_exactly_its_pages(
    request, world, tenant, name, keys, method, allowed, role
):
    client = request.getfixturevalue(ROLE_CLIENTS[role])
    response = getattr(client, method)(
        url_for(name, keys, world, tenant), {"reason": "x"} if method == "post" else None
    )
    if role in allowed:
        assert response.status_code in {200, 302}
    else:
        assert response.status_code == 403


def test_a_campaign_of_another_tenant_is_404_for_a_manager(manager_client, other_tenant, tenant):
    campaign = CampaignFactory(tenant=other_tenant)
    url = reverse(
        "campaigns:detail", kwargs={"tenant_slug": tenant.slug, "campaign_id": campaign.pk}
    )
    assert manager_client.get(url).status_code == 404
