"""Every dashboard and segment URL: 404 for other tenants' members and outsiders, 403 for a
role without the permission, the page for a role with it; and what the POSTs change."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from crm.models import AuditEntry
from segmentation.models import ClassSettings, HandPickedCustomer, Segment, SegmentSnapshot
from segmentation.services import segment_create
from tests.segmentation import dashboard_base

pytestmark = pytest.mark.django_db

ROLE_CLIENTS = {"admin": "admin_client_", "manager": "manager_client", "sales": "sales_client"}
MANAGERS = {"admin", "manager"}
# (url name, kwargs builder, GET parameters, roles that may open it)
PAGES = [
    ("pyramid", lambda b: {}, {}, MANAGERS),
    ("level", lambda b: {"level": str(b["tiers"][0].pk)}, {"dimension": "industry"}, MANAGERS),
    ("level", lambda b: {"level": "prospect"}, {}, MANAGERS),
    ("cell_customers", lambda b: {}, {"customer_class": "current"}, MANAGERS),
    (
        "movement_customers",
        lambda b: {},
        lambda b: {"since": b["first"].pk, "from": "outside", "to": str(b["tiers"][0].pk)},
        MANAGERS,
    ),
    ("class_settings", lambda b: {}, {}, {"admin"}),
    ("segments", lambda b: {}, {}, MANAGERS),
    ("segment_create", lambda b: {}, {}, MANAGERS),
    ("segment_preview", lambda b: {}, {"regions": "Marmara"}, MANAGERS),
    ("segment", lambda b: {"segment_id": b["segment"].pk}, {}, MANAGERS),
    ("segment_edit", lambda b: {"segment_id": b["segment"].pk}, {}, MANAGERS),
    ("segment_delete", lambda b: {"segment_id": b["segment"].pk}, {}, MANAGERS),
    ("segment_customer_remove", lambda b: _hand_picked(b), {}, MANAGERS),
]


def _hand_picked(base) -> dict:
    """The remove URL's kwargs, with customer B hand-picked into the Marmara segment first."""
    with scopes_disabled():
        HandPickedCustomer.objects.get_or_create(
            tenant=base["segment"].tenant, segment=base["segment"], customer=base["b"]
        )
    return {"segment_id": base["segment"].pk, "customer_id": base["b"].pk}


@pytest.fixture
def base(tenant, admin_user, manager_user, sales_user):
    built = dashboard_base.build(tenant)
    with scope(tenant=tenant):
        built["segment"] = segment_create(
            tenant=tenant, actor=manager_user, data={"name": "Marmara", "regions": ["Marmara"]}
        )
    return built


def _url(name, kwargs, base, tenant):
    return reverse(f"segmentation:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs(base)})


def _params(params, base):
    return params(base) if callable(params) else params


@pytest.mark.parametrize(("name", "kwargs", "params", "_roles"), PAGES)
@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_strangers_get_404(request, tenant, base, name, kwargs, params, _roles, stranger):
    client = request.getfixturevalue(stranger)
    url = _url(name, kwargs, base, tenant)
    assert client.get(url, _params(params, base)).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(("name", "kwargs", "params", "allowed"), PAGES)
@pytest.mark.parametrize("role", ["admin", "manager", "sales"])
def test_each_role_gets_exactly_its_pages(
    request, tenant, base, name, kwargs, params, allowed, role
):
    client = request.getfixturevalue(ROLE_CLIENTS[role])
    response = client.get(_url(name, kwargs, base, tenant), _params(params, base))
    assert response.status_code == (200 if role in allowed else 403)


def test_freeze_is_403_for_sales_and_404_for_strangers(
    sales_client, other_tenant_client, outsider_client, tenant, base
):
    url = _url("segment_freeze", lambda b: {"segment_id": b["segment"].pk}, base, tenant)
    assert sales_client.post(url).status_code == 403
    assert other_tenant_client.post(url).status_code == 404
    assert outsider_client.post(url).status_code == 404
    with scopes_disabled():
        assert not SegmentSnapshot.objects.exists()


def test_a_segment_of_another_tenant_is_404(
    other_tenant, other_tenant_client, manager_client, tenant, base
):
    url = _url("segment", lambda b: {"segment_id": b["segment"].pk}, base, tenant)
    # The other tenant's admin, on their own company's URL with this tenant's segment id:
    foreign = reverse(
        "segmentation:segment",
        kwargs={"tenant_slug": other_tenant.slug, "segment_id": base["segment"].pk},
    )
    assert other_tenant_client.get(foreign).status_code == 404
    assert manager_client.get(url).status_code == 200


def test_manager_freezes_a_snapshot_and_is_told_how_many(manager_client, tenant, base):
    url = _url("segment_freeze", lambda b: {"segment_id": b["segment"].pk}, base, tenant)
    response = manager_client.post(url, {"note": "Bahar kampanyası"}, follow=True)

    assert "4 customers frozen" in response.content.decode()  # A, C, D, E in Marmara
    with scopes_disabled():
        snapshot = SegmentSnapshot.objects.get()
    assert (snapshot.members_count, snapshot.note) == (4, "Bahar kampanyası")


def test_delete_asks_first_then_deletes_and_says_so(manager_client, tenant, base):
    url = _url("segment_delete", lambda b: {"segment_id": b["segment"].pk}, base, tenant)
    confirm = manager_client.get(url)
    assert "Delete the segment “Marmara”?" in confirm.content.decode()
    with scopes_disabled():
        assert Segment.objects.filter(pk=base["segment"].pk).exists()

    response = manager_client.post(url, follow=True)

    assert "Segment “Marmara” deleted; its snapshots are kept." in response.content.decode()
    with scopes_disabled():
        assert not Segment.objects.filter(pk=base["segment"].pk).exists()
        assert AuditEntry.objects.filter(action="segmentation.segment.deleted").exists()


def test_builder_creates_a_segment_with_strategy(manager_client, tenant, base):
    t2, t3 = base["tiers"][1], base["tiers"][2]
    response = manager_client.post(
        _url("segment_create", lambda b: {}, base, tenant),
        {
            "name": "Web müşterileri",
            "strategy_type": "grow",
            "strategy": "Çapraz satış",
            "tiers": [t2.pk, t3.pk],
            "acquisition_channels": ["web"],
            "tags": "",
        },
    )
    with scopes_disabled():
        segment = Segment.objects.get(name="Web müşterileri")
    assert response.status_code == 302
    page = manager_client.get(response.url).content.decode()
    assert "Çapraz satış" in page and "Grow" in page
    assert manager_client.get(response.url).context["figures"].customers == 2  # B, C
    assert segment.owner.username == "manager"


def test_builder_shows_form_errors_for_bad_input(manager_client, tenant, base):
    response = manager_client.post(
        _url("segment_create", lambda b: {}, base, tenant),
        {"name": "", "strategy_type": "nonsense", "score_min": "90", "score_max": "10"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "strategy_type", "score_max"} <= set(errors)


def test_builder_refuses_a_duplicate_name(manager_client, tenant, base):
    response = manager_client.post(
        _url("segment_create", lambda b: {}, base, tenant),
        {"name": "Marmara", "strategy_type": "keep"},
    )
    assert response.status_code == 200
    assert "A segment with this name already exists." in response.content.decode()


def test_live_count_and_revenue_share(manager_client, tenant, base):
    t3 = base["tiers"][2]
    response = manager_client.get(
        _url("segment_preview", lambda b: {}, base, tenant), {"tiers": [t3.pk]}
    )
    figures = response.context["figures"]
    assert (figures.customers, figures.revenue_share) == (2, 20)  # C + D: 400 of 2,000
    assert 'id="segment-preview"' in response.content.decode()


def test_segment_filter_on_the_customer_list_and_its_export(manager_client, tenant, base):
    list_url = reverse("customers:list", kwargs={"tenant_slug": tenant.slug})
    response = manager_client.get(list_url, {"segment": base["segment"].pk})
    ids = {customer.pk for customer in response.context["page"].object_list}
    assert ids == {base[key].pk for key in "acde"}

    export = manager_client.get(
        reverse("customers:export", kwargs={"tenant_slug": tenant.slug}),
        {"segment": base["segment"].pk, "format": "comma"},
    )
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 1 + 4
    assert "Fatma" not in body and "Ayşe" in body


def test_admin_changes_class_thresholds(admin_client_, tenant, base):
    response = admin_client_.post(
        _url("class_settings", lambda b: {}, base, tenant),
        {"peak_tiers": "2", "growth_percent": "25", "contact_days": "30"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        settings = ClassSettings.objects.get(tenant=tenant)
        assert (settings.peak_tiers, settings.contact_days) == (2, 30)
        assert AuditEntry.objects.filter(action="segmentation.classes.changed").exists()


def test_class_thresholds_refuse_bad_values(admin_client_, tenant, base):
    response = admin_client_.post(
        _url("class_settings", lambda b: {}, base, tenant),
        {"peak_tiers": "0", "growth_percent": "-5", "contact_days": "x"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"peak_tiers", "growth_percent", "contact_days"}
