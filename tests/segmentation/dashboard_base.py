"""A small tenant where every figure of the dashboard can be worked out on paper.

Value key: revenue in the last 365 days (min–max); tiers 25/25/50 % of active customers
("Level 1".."Level 3" in English). Two runs: `first` 30 days before NOW, `second` at NOW.

Customers (region, city, industry, channel, kind, lifecycle stage, tags; purchases as
days ago: amount/cost category):
A Ayşe   Marmara, İstanbul, Retail, referral, person, active, vip;
         10: 1000/600 X; 400: 100/50
B Burak  Ege, İzmir, Retail, web, person, active; 10: 600/300 Y; 400: 400/200 X
C Canan  Marmara, Bursa, Building, web, person, at_risk, vip + toptan;
         60: 300/200 Y; 400: 300/100
D Demir  Marmara, İstanbul, Retail, referral, company, new; 10: 100/90
E Emre   Marmara, Kocaeli, Retail, referral, person, lapsed; 400: 500/250
F Fatma  Ege, Manisa, Building, web, person, prospect, toptan; no purchase; contacted 5 days ago
G Gül    İç Anadolu, Ankara, no industry or channel, person, prospect; no purchase
H Hakan  archived (bought 10 days ago: 5000/1000)

Email consent: A and F.

First run (30 days ago; window from 395 days ago): only C active (300) → Level 3; A, B, E
inactive; D, F, G prospects.
Second run: A 1000, B 600, C 300, D 100 in the window → scores 100, 55.5556, 22.2222, 0 →
A Level 1, B Level 2, C and D Level 3; E inactive; F, G prospects.
Growth (window vs the 365 days before): A +900 % (growing fast), B +50 % (growing fast),
C 0 % (steady), D new, E −100 % (falling fast), F and G none.
Classes (peak tiers 1, growth ≥ 50 %, contact 90 days): A most important, B fastest-growing,
C and D current, E potential (A's region/industry/channel), F potential (contacted), G other.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from customers.models import CustomerKind
from segmentation.services import scores_recompute
from tests.factories import InteractionFactory, ProductCategoryFactory
from tests.segmentation.factories import NOW, buy, customer, use_keys, use_tiers


def build(tenant) -> dict:
    use_keys(tenant, ("revenue", 1, "min_max", 365))
    tiers = use_tiers(tenant, 25, 25, 50)
    with scopes_disabled():
        x = ProductCategoryFactory(tenant=tenant, name="Kategori X")
        y = ProductCategoryFactory(tenant=tenant, name="Kategori Y")

    def person(first, last, **kwargs):
        defaults = {"kind": CustomerKind.PERSON, "first_name": first, "last_name": last}
        return customer(tenant, **{**defaults, **kwargs})

    a = person(
        "Ayşe",
        "Aksoy",
        region="Marmara",
        city="İstanbul",
        industry="Retail",
        acquisition_channel="referral",
        lifecycle_stage="active",
        tags=["vip"],
        consent_email=True,
    )
    b = person(
        "Burak",
        "Bal",
        region="Ege",
        city="İzmir",
        industry="Retail",
        acquisition_channel="web",
        lifecycle_stage="active",
    )
    c = person(
        "Canan",
        "Can",
        region="Marmara",
        city="Bursa",
        industry="Building",
        acquisition_channel="web",
        lifecycle_stage="at_risk",
        tags=["vip", "toptan"],
    )
    d = customer(
        tenant,
        kind=CustomerKind.COMPANY,
        first_name="",
        last_name="",
        company_name="Demir Ltd.",
        region="Marmara",
        city="İstanbul",
        industry="Retail",
        acquisition_channel="referral",
        lifecycle_stage="new",
    )
    e = person(
        "Emre",
        "Ekin",
        region="Marmara",
        city="Kocaeli",
        industry="Retail",
        acquisition_channel="referral",
        lifecycle_stage="lapsed",
    )
    f = person(
        "Fatma",
        "Filiz",
        region="Ege",
        city="Manisa",
        industry="Building",
        acquisition_channel="web",
        lifecycle_stage="prospect",
        tags=["toptan"],
        consent_email=True,
    )
    g = person(
        "Gül",
        "Gök",
        region="İç Anadolu",
        city="Ankara",
        industry="",
        acquisition_channel="",
        lifecycle_stage="prospect",
    )
    h = person(
        "Hakan",
        "Has",
        region="Marmara",
        city="İstanbul",
        industry="Retail",
        acquisition_channel="referral",
        lifecycle_stage="active",
    )

    buy(a, 1000, cost=600, days_ago=10, category=x)
    buy(a, 100, cost=50, days_ago=400)
    buy(b, 600, cost=300, days_ago=10, category=y)
    buy(b, 400, cost=200, days_ago=400, category=x)
    buy(c, 300, cost=200, days_ago=60, category=y)
    buy(c, 300, cost=100, days_ago=400)
    buy(d, 100, cost=90, days_ago=10)
    buy(e, 500, cost=250, days_ago=400)
    buy(h, 5000, cost=1000, days_ago=10)
    InteractionFactory(customer=f, tenant=tenant, occurred_at=NOW - timedelta(days=5))
    with scopes_disabled():
        h.archived_at = timezone.now()
        h.save(update_fields=["archived_at"])

    first = scores_recompute(tenant=tenant, now=NOW - timedelta(days=30))
    second = scores_recompute(tenant=tenant, now=NOW)
    assert first.status == second.status == "succeeded", (first.error, second.error)
    return {
        "tiers": tiers,
        "x": x,
        "y": y,
        "first": first,
        "second": second,
        **dict(zip("abcdefgh", [a, b, c, d, e, f, g, h], strict=True)),
    }
