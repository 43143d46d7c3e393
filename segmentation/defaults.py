"""What a new tenant starts with: a sensible set of value keys and the four-tier pyramid.

Plain data, so the service for new tenants and the data migration for existing ones share it.
Texts are stored in the tenant's rows (admins edit them), so they are not translated here; the
tier names come in both languages.
"""

from __future__ import annotations

from decimal import Decimal

DEFAULT_VALUE_KEYS: list[dict] = [
    {"metric": "revenue", "weight": Decimal("3"), "window_days": 365,
     "normalisation": "percentile", "is_active": True,
     "description": "Son 12 ayın cirosu / Revenue of the last 12 months"},
    {"metric": "gross_margin", "weight": Decimal("2"), "window_days": 365,
     "normalisation": "percentile", "is_active": True,
     "description": "Son 12 ayın brüt kârı / Gross margin of the last 12 months"},
    {"metric": "purchases", "weight": Decimal("1.5"), "window_days": 365,
     "normalisation": "percentile", "is_active": True,
     "description": "Son 12 aydaki alışveriş sayısı / Purchases in the last 12 months"},
    {"metric": "recency", "weight": Decimal("1.5"), "window_days": None,
     "normalisation": "percentile", "is_active": True,
     "description": "Son alışverişten bu yana geçen gün / Days since the last purchase"},
    {"metric": "relationship_length", "weight": Decimal("0.5"), "window_days": None,
     "normalisation": "min_max", "is_active": True,
     "description": "İlk alışverişten bu yana geçen gün / Days since the first purchase"},
    {"metric": "referrals", "weight": Decimal("0.5"), "window_days": 365,
     "normalisation": "log_min_max", "is_active": True,
     "description": "Getirdiği ve alışveriş yapan müşteriler / Referred customers who bought"},
    {"metric": "satisfaction", "weight": Decimal("0.5"), "window_days": 365,
     "normalisation": "min_max", "is_active": True,
     "description": "Anket puanı ortalaması / Average survey score"},
    {"metric": "complaints", "weight": Decimal("-1"), "window_days": 365,
     "normalisation": "min_max", "is_active": True,
     "description": "Şikâyet sayısı (ceza) / Number of complaints (a penalty)"},
    {"metric": "average_order_value", "weight": Decimal("1"), "window_days": 365,
     "normalisation": "percentile", "is_active": False,
     "description": "Ortalama sipariş tutarı / Average order value"},
    {"metric": "revenue_growth", "weight": Decimal("1"), "window_days": 365,
     "normalisation": "min_max", "is_active": False,
     "description": "Ciro büyümesi / Revenue growth"},
    {"metric": "cost_sharing", "weight": Decimal("1"), "window_days": 365,
     "normalisation": "log_min_max", "is_active": False,
     "description": "Ortak yatırım katkısı / Cost sharing"},
    {"metric": "late_payments", "weight": Decimal("-1"), "window_days": 365,
     "normalisation": "min_max", "is_active": False,
     "description": "Geç ödenen faturaların oranı (ceza) / Share of invoices paid late"},
]  # fmt: skip

DEFAULT_TIERS: list[dict] = [
    {"position": 1, "name_tr": "Platin", "name_en": "Platinum", "share_percent": Decimal("1"),
     "colour": "#5b6770",
     "strategy": "Kişisel hesap yöneticisi, özel teklifler / A personal account manager"},
    {"position": 2, "name_tr": "Altın", "name_en": "Gold", "share_percent": Decimal("4"),
     "colour": "#c9a227",
     "strategy": "Öncelikli hizmet, sadakat ödülleri / Priority service, loyalty rewards"},
    {"position": 3, "name_tr": "Gümüş", "name_en": "Silver", "share_percent": Decimal("15"),
     "colour": "#a8a9ad",
     "strategy": "Üst segmente taşıyacak çapraz satış / Cross-selling to move them up"},
    {"position": 4, "name_tr": "Bronz", "name_en": "Bronze", "share_percent": Decimal("80"),
     "colour": "#a0522d",
     "strategy": "Düşük maliyetli, dijital iletişim / Low-cost digital contact"},
]  # fmt: skip
