"""The value keys page: each key's share of the score, and the tier sizes other weights would
give, previewed on the last run's stored values before saving (nothing is written)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from crm.models import AuditEntry
from segmentation.models import CustomerScore, ScoreRun, ValueKey
from segmentation.services import scores_recompute
from segmentation.weight_preview import KeyWeight, score_shares, weights_preview
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(tenant, now):
    """Four customers, keys revenue ×1 and purchases ×1 (min–max), tiers 25/50/25 %.

    revenue a 100, b 400, c 300, d 200 → x = 0, 1, 2/3, 1/3
    purchases a 1, b 1, c 3, d 2       → x = 0, 0, 1, 1/2
    score = 50·x_rev + 50·x_pur: a 0, b 50, c 83.3333, d 41.6667 → c | b, d | a (1, 2, 1)
    """
    revenue, purchases = use_keys(tenant, ("revenue", 1, "min_max"), ("purchases", 1, "min_max"))
    tiers = use_tiers(tenant, 25, 50, 25)
    people = {name: customer(tenant) for name in "abcd"}
    buy(people["a"], 100)
    buy(people["b"], 400)
    for _ in range(3):
        buy(people["c"], 100)
    for _ in range(2):
        buy(people["d"], 100)
    run = scores_recompute(tenant=tenant, now=now)
    assert run.status == "succeeded"
    return {"revenue": revenue, "purchases": purchases, "tiers": tiers, "run": run}


def _counts(preview):
    return [(row.current, row.previewed) for row in preview.tiers]


def test_shares_are_each_weight_over_the_active_weights():
    shares = score_shares(
        {
            1: KeyWeight(is_active=True, weight=Decimal(3)),
            2: KeyWeight(is_active=True, weight=Decimal(-1)),
            3: KeyWeight(is_active=False, weight=Decimal(2)),
        }
    )
    # |3| / (3 + |-1|) = 75 %, 1 / 4 = 25 %; the inactive key has no share.
    assert shares == {1: Decimal("75.0"), 2: Decimal("25.0"), 3: None}


def test_the_value_keys_list_shows_each_keys_share(admin_client_, tenant):
    use_keys(
        tenant,
        ("revenue", 2, "percentile"),
        ("purchases", 1, "percentile"),
        ("complaints", -3, "percentile"),
    )
    with scopes_disabled():
        ValueKey.objects.filter(tenant=tenant, metric="purchases").update(is_active=False)
    response = admin_client_.get(reverse("admin:segmentation_valuekey_changelist"))
    content = response.content.decode()
    # 2 / (2 + 3) = 40 %, 3 / 5 = 60 %, inactive: —.
    assert '<td class="field-share_of_score">40.0 %</td>' in content
    assert '<td class="field-share_of_score">60.0 %</td>' in content
    assert '<td class="field-share_of_score">—</td>' in content


def test_the_saved_weights_reproduce_the_last_run(tenant, base):
    with scope(tenant=tenant):
        preview = weights_preview(tenant=tenant, weights={})
    assert preview.run == base["run"]
    assert _counts(preview) == [(1, 1), (2, 2), (1, 1)]
    assert (preview.customers, preview.moved) == (4, 0)


def test_other_weights_give_other_tier_sizes(tenant, base):
    # revenue off, purchases alone: score = 100·x_pur: c 100, d 50, a 0, b 0 (a tie at the
    # bottom: at_or_above 4 for both) → T1 c; T2 d (≤ floor(4·75 %) = 3); T3 a, b.
    weights = {base["revenue"].pk: KeyWeight(is_active=False, weight=Decimal(1))}
    with scope(tenant=tenant):
        preview = weights_preview(tenant=tenant, weights=weights)
    assert _counts(preview) == [(1, 1), (2, 1), (1, 2)]
    assert preview.moved == 1  # b: T2 → T3
    assert [row.share for row in preview.keys] == [None, Decimal("100.0")]


def test_a_penalty_weight_is_previewed_like_the_recompute(tenant, base):
    # revenue ×1, purchases ×−3: score = 25·x_rev + 75·(1 − x_pur):
    # a 75, b 100, c 16.6667, d 8.3333 + 37.5 = 45.8333 → b | a, d | c.
    weights = {base["purchases"].pk: KeyWeight(is_active=True, weight=Decimal(-3))}
    with scope(tenant=tenant):
        preview = weights_preview(tenant=tenant, weights=weights)
    assert _counts(preview) == [(1, 1), (2, 2), (1, 1)]
    assert preview.moved == 3  # c T1 → T3, b T2 → T1, a T3 → T2; d stays in T2


def _changelist_data(keys, weights):
    data = {"form-TOTAL_FORMS": str(len(keys)), "form-INITIAL_FORMS": str(len(keys))}
    for index, (key, weight) in enumerate(zip(keys, weights, strict=True)):
        data.update(
            {
                f"form-{index}-id": key.pk,
                f"form-{index}-weight": weight,
                f"form-{index}-window_days": key.window_days or "",
                f"form-{index}-normalisation": key.normalisation,
                f"form-{index}-order": key.order,
            }
        )
        if weight != "off":
            data[f"form-{index}-is_active"] = "on"
        else:
            data[f"form-{index}-weight"] = "1"
    return data


def test_the_preview_view_shows_current_and_previewed_counts_and_writes_nothing(
    admin_client_, tenant, base
):
    keys = [base["revenue"], base["purchases"]]
    with scopes_disabled():
        audits = AuditEntry.objects.count()
    response = admin_client_.post(
        reverse("admin:segmentation_valuekey_preview"),
        _changelist_data(keys, ["off", "1"]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 of 4 active customers would change tier." in content
    assert "<td>Level 3</td>\n      <td>1</td>\n      <td>2</td>\n      <td>+1</td>" in content
    assert "normalised as in that run" in content
    with scopes_disabled():
        assert ValueKey.objects.get(pk=base["revenue"].pk).is_active
        assert ScoreRun.objects.filter(tenant=tenant).count() == 1
        assert AuditEntry.objects.count() == audits


def test_the_preview_view_shows_form_errors_for_bad_weights(admin_client_, tenant, base):
    keys = [base["revenue"], base["purchases"]]
    response = admin_client_.post(
        reverse("admin:segmentation_valuekey_preview"),
        _changelist_data(keys, ["-1", "abc"]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="errorlist"' in content
    assert "would change tier" not in content


def test_the_preview_without_any_run_says_so(admin_client_, tenant):
    keys = use_keys(tenant, ("revenue", 1, "min_max"))
    response = admin_client_.post(
        reverse("admin:segmentation_valuekey_preview"), _changelist_data(keys, ["2"])
    )
    assert response.status_code == 200
    assert "No recalculation has succeeded yet" in response.content.decode()


def test_the_preview_is_for_admins_only(manager_client, tenant, base):
    response = manager_client.post(reverse("admin:segmentation_valuekey_preview"), {})
    assert response.status_code in (302, 403)
    assert response.status_code != 200


def test_the_value_keys_list_has_the_preview_button(admin_client_, tenant, base):
    response = admin_client_.get(reverse("admin:segmentation_valuekey_changelist"))
    assert 'id="value-key-preview-button"' in response.content.decode()


def test_the_preview_matches_a_recompute_with_the_new_weights(tenant, base, now):
    # Only the weights change, so the last run's normalised values are the next run's too.
    weights = {base["purchases"].pk: KeyWeight(is_active=True, weight=Decimal(-3))}
    with scope(tenant=tenant):
        preview = weights_preview(tenant=tenant, weights=weights)
    with scopes_disabled():
        ValueKey.objects.filter(pk=base["purchases"].pk).update(weight=Decimal(-3))
    scores_recompute(tenant=tenant, now=now)
    with scopes_disabled():
        counts = {
            tier.pk: CustomerScore.objects.filter(tenant=tenant, computed_tier=tier).count()
            for tier in base["tiers"]
        }
    assert [row.previewed for row in preview.tiers] == [counts[t.pk] for t in base["tiers"]]
    with scope(tenant=tenant):
        again = weights_preview(tenant=tenant, weights={})
    assert again.moved == 0


def test_another_companys_admin_cannot_preview_these_keys(other_tenant_client, tenant, base):
    keys = [base["revenue"], base["purchases"]]
    response = other_tenant_client.post(
        reverse("admin:segmentation_valuekey_preview"),
        _changelist_data(keys, ["off", "1"]),
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert 'class="errorlist"' in content
    assert "would change tier" not in content


def test_the_preview_speaks_turkish(admin_client_, tenant, base):
    from django.conf import settings

    admin_client_.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    response = admin_client_.post(
        reverse("admin:segmentation_valuekey_preview"),
        _changelist_data([base["revenue"], base["purchases"]], ["off", "1"]),
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert "4 aktif müşteriden 1 tanesinin katmanı değişirdi." in content
    assert "Puandaki payı" in content
