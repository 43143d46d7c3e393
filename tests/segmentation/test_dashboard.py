"""The dashboard, a level's vertical breakdown and the lists its links open, against the
small base of tests/segmentation/dashboard_base.py (every number worked out there)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from segmentation import dashboard_selectors as dashboard
from segmentation.dashboard_views import cell_url
from tests.segmentation import dashboard_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(tenant):
    return dashboard_base.build(tenant)


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"segmentation:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def names(base, customers) -> set[str]:
    by_id = {base[key].pk: key for key in "abcdefgh"}
    return {by_id[customer.pk] for customer in customers}


def test_pyramid_levels_show_counts_and_shares(manager_client, tenant, base):
    response = manager_client.get(url("pyramid", tenant))

    assert response.status_code == 200
    levels = {
        level.label: (
            level.customers,
            level.customer_share,
            level.revenue_share,
            level.margin_share,
        )
        for level in response.context["dashboard_levels"]
    }
    # 7 customers; revenue 2,000; margin 810 (A 400, B 300, C 100, D 10)
    assert levels == {
        "Level 1": (1, Decimal("14.3"), Decimal("50.0"), Decimal("49.4")),
        "Level 2": (1, Decimal("14.3"), Decimal("30.0"), Decimal("37.0")),
        "Level 3": (2, Decimal("28.6"), Decimal("20.0"), Decimal("13.6")),
        "Inactive": (1, Decimal("14.3"), Decimal("0.0"), Decimal("0.0")),
        "Prospects": (2, Decimal("28.6"), Decimal("0.0"), Decimal("0.0")),
    }
    page = response.content.decode()
    assert "<svg" in page and "<polygon" in page


def test_key_figures_against_the_previous_run(manager_client, tenant, base):
    response = manager_client.get(url("pyramid", tenant))

    figures = {
        figure.label: (figure.value, figure.previous) for figure in response.context["figures"]
    }
    assert figures == {
        "Active customers": (4, 1),
        "Revenue in the window": (Decimal("2000.00"), Decimal("300.00")),
        "Margin in the window": (Decimal("810.00"), Decimal("100.00")),
        "New customers": (1, 4),  # D now; the first run: every buyer (A, B, C, E)
        "Retained customers": (1, 0),
        "Retention rate": (Decimal("100.0"), None),
        "Average score": (Decimal("44.4445"), Decimal("50.0000")),
    }
    page = response.content.decode()
    assert "2,000.00" in page  # English number format


def test_numbers_are_turkish_for_turkish_readers(manager_client, tenant, base):
    manager_client.cookies["django_language"] = "tr"
    page = manager_client.get(url("pyramid", tenant)).content.decode()
    assert "2.000,00\u00a0₺" in page or "2.000,00 ₺" in page
    assert "%50,0" in page


def test_classes_show_counts_shares_and_definitions(manager_client, tenant, base):
    response = manager_client.get(url("pyramid", tenant))

    lines = {line.key: (line.customers, line.revenue_share) for line in response.context["classes"]}
    assert lines == {
        "most_important": (1, Decimal("50.0")),
        "fastest_growing": (1, Decimal("30.0")),
        "current": (2, Decimal("20.0")),
        "potential": (2, Decimal("0.0")),
    }
    page = response.content.decode()
    assert "grew by at least 50%" in page
    assert "?customer_class=potential" in page


def test_migration_matrix_since_the_previous_run(manager_client, tenant, base):
    response = manager_client.get(url("pyramid", tenant))

    matrix = response.context["matrix"]
    t1, t2, t3 = (str(tier.pk) for tier in base["tiers"])
    cells = {key: n for key, n in matrix.cells.items() if n}
    # A and B came from outside the pyramid (inactive), D from prospects; C stayed in Level 3.
    assert cells == {("outside", t1): 1, ("outside", t2): 1, ("outside", t3): 1, (t3, t3): 1}


def test_matrix_cells_link_to_exactly_those_customers(manager_client, tenant, base):
    t3 = str(base["tiers"][2].pk)
    since = base["first"].pk
    for source, target, expected in [("outside", t3, {"d"}), (t3, t3, {"c"})]:
        response = manager_client.get(
            url("movement_customers", tenant), {"since": since, "from": source, "to": target}
        )
        assert response.status_code == 200
        assert names(base, response.context["page"].object_list) == expected


def test_movers_up_in_the_last_run(manager_client, tenant, base):
    response = manager_client.get(url("pyramid", tenant))

    # Into the pyramid, biggest revenue first; nobody moved down.
    assert [change.customer_id for change in response.context["movers_up"]] == [
        base["a"].pk,
        base["b"].pk,
        base["d"].pk,
    ]
    assert response.context["movers_down"] == []


def test_tier_sizes_over_runs(tenant, base):
    t1, t2, t3 = (str(tier.pk) for tier in base["tiers"])
    with scope(tenant=tenant):
        history = dashboard.tier_sizes_over_runs(tenant=tenant)
    assert [entry.sizes for entry in history] == [
        {t3: 1, "inactive": 3, "prospect": 3},
        {t1: 1, t2: 1, t3: 2, "inactive": 1, "prospect": 2},
    ]


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        # Level 3 (C, D) against the whole base (7 customers)
        ("region", {"Marmara": (2, Decimal("400.00"), 4)}),
        ("city", {"Bursa": (1, Decimal("300.00"), 1), "İstanbul": (1, Decimal("100.00"), 2)}),
        ("industry", {"Building": (1, Decimal("300.00"), 2), "Retail": (1, Decimal("100.00"), 4)}),
        (
            "acquisition_channel",
            {"web": (1, Decimal("300.00"), 3), "referral": (1, Decimal("100.00"), 3)},
        ),
        (
            "lifecycle_stage",
            {"at_risk": (1, Decimal("300.00"), 1), "new": (1, Decimal("100.00"), 1)},
        ),
        ("kind", {"person": (1, Decimal("300.00"), 6), "company": (1, Decimal("100.00"), 1)}),
        ("growth_band", {"steady": (1, Decimal("300.00"), 1), "new": (1, Decimal("100.00"), 1)}),
        ("category", {"y": (1, Decimal("300.00"), 2)}),
    ],
)
def test_vertical_breakdown_of_a_tier_by_each_dimension(tenant, base, dimension, expected):
    t3 = str(base["tiers"][2].pk)
    with scope(tenant=tenant):
        cells = dashboard.vertical_breakdown(
            tenant=tenant, run=base["second"], level=t3, dimension=dimension
        )
    got = {
        cell.value: (cell.customers, cell.revenue, cell.base_customers)
        for cell in cells
        if cell.customers
    }
    if dimension == "category":
        expected = {str(base[key].pk): value for key, value in expected.items()}
    assert got == expected


def test_breakdown_shares_and_representation(tenant, base):
    t3 = str(base["tiers"][2].pk)
    with scope(tenant=tenant):
        cells = {
            cell.value: cell
            for cell in dashboard.vertical_breakdown(
                tenant=tenant, run=base["second"], level=t3, dimension="region"
            )
        }
    marmara = cells["Marmara"]
    # 2 of Level 3's 2 customers; 4 of all 7; index 100 / 57.1 × 100 = 175
    assert (marmara.customer_share, marmara.base_customer_share) == (
        Decimal("100.0"),
        Decimal("57.1"),
    )
    assert marmara.representation == Decimal("175")
    assert marmara.average_score == Decimal("11.11")  # (22.2222 + 0) / 2
    assert cells["Ege"].customers == 0 and cells["Ege"].base_customers == 2


def test_level_page_links_each_cell_to_the_customer_list(manager_client, tenant, base):
    t3 = str(base["tiers"][2].pk)
    response = manager_client.get(url("level", tenant, level=t3), {"dimension": "city"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"/anadolu/customers/?tier={t3}&amp;city=Bursa" in page


@pytest.mark.parametrize(
    ("level", "dimension", "value", "expected"),
    [
        ("t3", "city", "Bursa", {"c"}),
        ("t3", "region", "Marmara", {"c", "d"}),
        ("t1", "category", "x", {"a"}),
        ("t3", "growth_band", "new", {"d"}),
        ("inactive", "industry", "Retail", {"e"}),
        ("prospect", "acquisition_channel", "web", {"f"}),
        ("prospect", "industry", "", {"g"}),  # "not given": segmentation's own list
    ],
)
def test_cell_links_land_on_exactly_the_cells_customers(
    manager_client, tenant, base, level, dimension, value, expected
):
    tiers = {"t1": base["tiers"][0], "t3": base["tiers"][2]}
    level_key = str(tiers[level].pk) if level in tiers else level
    if dimension == "category":
        value = str(base[value].pk)
    link = cell_url(tenant_slug=tenant.slug, level=level_key, dimension=dimension, value=value)

    response = manager_client.get(link)

    assert response.status_code == 200
    assert names(base, response.context["page"].object_list) == expected


def test_class_link_lists_the_class(manager_client, tenant, base):
    response = manager_client.get(
        reverse("customers:list", kwargs={"tenant_slug": tenant.slug}),
        {"customer_class": "potential"},
    )
    assert names(base, response.context["page"].object_list) == {"e", "f"}


def test_bad_cell_parameters_are_form_errors(manager_client, tenant, base):
    response = manager_client.get(url("cell_customers", tenant), {"level": "x", "kind": "alien"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_dashboard_queries_do_not_grow_with_customers(manager_client, tenant, base):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from segmentation.services import scores_recompute
    from tests.segmentation.factories import NOW, buy, customer

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url("pyramid", tenant)).status_code == 200
        return len(captured.captured_queries)

    manager_client.get(url("pyramid", tenant))
    before = queries()
    for number in range(12):
        buy(customer(tenant, region="Ege"), 50 + number, cost=10, days_ago=5)
    scores_recompute(tenant=tenant, now=NOW)
    manager_client.get(url("pyramid", tenant))  # the new run pair's matrix is cached
    assert queries() == before
    assert before <= 30


def _queries_of(client, page_url: str) -> tuple[int, dict[str, str]]:
    """The page's queries and its run sections (HTML)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url)
    assert response.status_code == 200
    sections = response.context["dashboard"]
    assert all(html in response.content.decode() for html in sections.values())
    return len(captured.captured_queries), sections


def test_dashboard_sections_are_rendered_once_per_run(manager_client, tenant, base):
    first_queries, first_page = _queries_of(manager_client, url("pyramid", tenant))
    again_queries, again_page = _queries_of(manager_client, url("pyramid", tenant))

    assert again_page == first_page  # the same figures, matrix and movers, from the cache
    assert again_queries <= first_queries - 10
    # Another comparison run is another entry.
    since = base["first"].pk
    _count, since_page = _queries_of(manager_client, url("pyramid", tenant) + f"?since={since}")
    assert since_page == first_page  # `first` is the run before anyway


def test_dashboard_shows_a_tier_edit_and_a_new_run_at_once(manager_client, tenant, base):
    from segmentation.services import scores_recompute
    from tests.segmentation.factories import NOW, buy

    manager_client.get(url("pyramid", tenant))
    with scope(tenant=tenant):
        peak = base["tiers"][0]
        peak.name_en = "Summit"
        peak.save(update_fields=["name_en"])
    assert "Summit" in manager_client.get(url("pyramid", tenant)).content.decode()

    buy(base["g"], 700, cost=100, days_ago=3)  # G, a prospect, becomes active
    scores_recompute(tenant=tenant, now=NOW)
    response = manager_client.get(url("pyramid", tenant))
    figures = {figure.label: figure.value for figure in response.context["figures"]}
    assert figures["Active customers"] == 5  # A, B, C, D and now G


def test_level_breakdown_is_rendered_once_and_shows_a_renamed_category(
    manager_client, tenant, base
):
    t1 = url("level", tenant, level=str(base["tiers"][0].pk))
    first = manager_client.get(t1, {"dimension": "category"}).context["breakdown"]
    assert "Kategori X" in first
    assert manager_client.get(t1, {"dimension": "category"}).context["breakdown"] == first

    with scope(tenant=tenant):
        base["x"].name = "Yeni ad"
        base["x"].save(update_fields=["name"])
    renamed = manager_client.get(t1, {"dimension": "category"}).context["breakdown"]
    assert "Yeni ad" in renamed and "Kategori X" not in renamed
