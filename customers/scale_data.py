"""Realistic Turkish customer data in bulk: the vocabulary (names, provinces, industries, a product
catalogue) and the set-based generator behind `manage.py generate_scale_data`.

The generator writes everything with `INSERT ... SELECT ... FROM generate_series(...)` inside
PostgreSQL, so a million customers and ten million purchases take minutes and the Python process
stays small. Its shape is what a Turkish B2B/B2C seller sees: ~20% companies, people and firms
from all 81 provinces (weighted by population), acquisition over three years with referrals,
lifecycle stages that agree with the purchase dates, ~10% prospects who never bought, and a
log-normal spread of both order counts and order sizes, so a fifth of the customers bring most
of the revenue.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from faker.providers.person.tr_TR import Provider as FakerPerson

from crm.models import Membership, Role, Tenant
from crm.rls import owner_mode
from customers.activity import customer_activity_refresh
from customers.models import (
    ConsentRecord,
    Customer,
    CustomerActivity,
    Feedback,
    Interaction,
    Product,
    ProductCategory,
    Transaction,
)
from customers.regions import PROVINCES, region_for_city
from customers.turkish import fold

# --- Vocabulary -------------------------------------------------------------------------------

# The most common given names and surnames, so frequent names are frequent (Faker's tr_TR lists
# are alphabetical and full of rare names; they make the long tail).
COMMON_FIRST_NAMES = (
    "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman",
    "Yusuf", "Murat", "Ömer", "Ramazan", "Halil", "Süleyman", "Abdullah", "Mahmut", "Recep",
    "Emre", "Burak", "Can", "Oğuz", "Serkan", "Uğur", "Gökhan", "Çağlar", "Barış", "Erdoğan",
    "Şükrü", "Tolga", "Kerem", "Eren", "Fatma", "Ayşe", "Emine", "Hatice", "Zeynep", "Elif",
    "Meryem", "Şerife", "Zehra", "Sultan", "Hanife", "Merve", "Özlem", "Esra", "Büşra", "Gülşen",
    "Çiğdem", "Özge", "Derya", "Ebru", "Selin", "Ceren", "Gizem", "Tuğba", "İrem", "Şeyma",
    "Dilek", "Yasemin", "Gül", "Nur", "İlknur", "Ümran", "Ağça",
)  # fmt: skip
COMMON_LAST_NAMES = (
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
    "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan",
    "Şimşek", "Polat", "Özcan", "Korkmaz", "Çakır", "Erdoğan", "Yavuz", "Can", "Acar", "Şen",
    "Aktaş", "Güler", "Yalçın", "Güneş", "Bozkurt", "Bulut", "Keskin", "Ünal", "Turan", "Gül",
    "Özer", "Işık", "Kaplan", "Avcı", "Sarı", "Tekin", "Taş", "Köse", "Yüksel", "Ateş", "Aksoy",
    "Güven", "Ekinci", "Uçar", "Tuncer", "Uysal", "Ağaoğlu", "Çağlayan", "Ölmez", "İnce",
)  # fmt: skip
COMPANY_WORDS = (
    "Anadolu", "Ege", "Marmara", "Yıldız", "Kuzey", "Güney", "Doğu", "Batı", "Özgür", "Birlik",
    "Akdeniz", "Karadeniz", "Başkent", "Atlas", "Zirve", "Öncü", "Çınar", "Işık", "Güven",
    "Ufuk", "Şimşek", "Gökkuşağı", "Ülkü", "İnci", "Boğaziçi", "Çağdaş", "Doğuş", "Erciyes",
)  # fmt: skip
COMPANY_SUFFIXES = ("A.Ş.", "Ltd. Şti.", "San. ve Tic. A.Ş.", "San. ve Tic. Ltd. Şti.")
# (industry as stored on the customer, the word a company of that industry puts in its name)
INDUSTRIES = (
    ("Tekstil", "Tekstil"), ("Gıda", "Gıda"), ("İnşaat", "İnşaat"), ("Otomotiv", "Otomotiv"),
    ("Lojistik", "Lojistik"), ("Perakende", "Ticaret"), ("Turizm", "Turizm"),
    ("Sağlık", "Medikal"), ("Bilişim", "Bilişim"), ("Enerji", "Enerji"), ("Tarım", "Tarım"),
    ("Mobilya", "Mobilya"), ("Kimya", "Kimya"), ("Makine", "Makine"), ("Eğitim", "Eğitim"),
    ("Danışmanlık", "Danışmanlık"),
)  # fmt: skip
STREETS = (
    "Atatürk Cad.", "Cumhuriyet Cad.", "İstiklal Cad.", "Gazi Bulvarı", "İnönü Cad.",
    "Fevzi Çakmak Cad.", "Mimar Sinan Sok.", "Menekşe Sok.", "Lale Sok.", "Çamlık Sok.",
    "Şehit Öğretmen Sok.", "Kızılay Cad.", "Bağdat Cad.", "Gül Sok.", "Ihlamur Sok.",
    "Değirmen Sok.", "Okul Sok.", "Çınarlı Sok.", "Yeşilyurt Cad.", "Hürriyet Cad.",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "yandex.com", "outlook.com", "icloud.com")
# Turkish mobile operators' prefixes (Turkcell 53x, Vodafone 54x, Türk Telekom 50x/55x).
MOBILE_PREFIXES = (
    "501", "505", "506", "507", "530", "531", "532", "533", "534", "535", "536", "537", "538",
    "539", "541", "542", "543", "544", "545", "546", "547", "548", "549", "551", "552", "553",
    "554", "555", "559",
)  # fmt: skip
TAGS = ("vip", "bayi", "kurumsal", "e-bülten", "fuar-2025", "toptan", "sadık", "kampanya")
TERMINATION_REASONS = (
    "Firma kapandı.", "Rakip firmaya geçti.", "Ödeme sorunları nedeniyle sözleşme feshedildi.",
    "Müşteri talebiyle kayıt kapatıldı.", "Taşındı, hizmet bölgemiz dışında.",
)  # fmt: skip
INTERACTION_SUBJECTS = (
    "Teklif görüşmesi", "Sipariş takibi", "Ödeme hatırlatma", "Yeni ürün tanıtımı",
    "Memnuniyet araması", "Fiyat bilgisi istendi", "Kargo gecikmesi", "Bayi toplantısı",
    "Fuar daveti", "İade talebi", "Sözleşme yenileme", "Teknik destek",
)  # fmt: skip
FEEDBACK_TEXTS = {
    "complaint": (
        "Kargo çok geç geldi.", "Ürün hasarlı ulaştı.", "Faturada hatalı tutar var.",
        "Müşteri hizmetlerine ulaşamadım.", "İade işlemi uzun sürdü.",
    ),
    "suggestion": (
        "Hafta sonu teslimat olsa iyi olur.", "Mobil uygulamadan sipariş verebilmek isterim.",
        "Toplu alımda indirim yapılabilir.",
    ),
    "praise": (
        "Satış temsilcimiz çok ilgili.", "Ürün kalitesinden çok memnunum.",
        "Hızlı teslimat için teşekkürler.",
    ),
    "survey": ("Yıllık memnuniyet anketi.", "Sipariş sonrası anket.", "NPS anketi."),
}  # fmt: skip

# Rough share of customers per province (population-like); the rest get weight 1.
PROVINCE_WEIGHTS = {
    "İstanbul": 40, "Ankara": 14, "İzmir": 11, "Bursa": 8, "Antalya": 7, "Konya": 6,
    "Adana": 6, "Gaziantep": 5, "Şanlıurfa": 4, "Kocaeli": 5, "Mersin": 4, "Diyarbakır": 4,
    "Hatay": 4, "Manisa": 4, "Kayseri": 4, "Samsun": 3, "Balıkesir": 3, "Eskişehir": 3,
    "Denizli": 3, "Trabzon": 2, "Muğla": 2, "Tekirdağ": 3, "Sakarya": 3, "Malatya": 2,
}  # fmt: skip

# The product catalogue: category -> (parent category or None, [(product, sku, list price)]).
CATALOGUE: dict[str, tuple[str | None, tuple[tuple[str, str, str], ...]]] = {
    "Elektronik": (None, ()),
    "Telefon ve Aksesuar": ("Elektronik", (
        ("Akıllı telefon", "TEL-001", "18999.00"), ("Telefon kılıfı", "TEL-002", "349.90"),
        ("Hızlı şarj adaptörü", "TEL-003", "599.00"),
    )),
    "Bilgisayar": ("Elektronik", (
        ("Dizüstü bilgisayar", "BLG-001", "32999.00"), ("Monitör 27\"", "BLG-002", "7499.00"),
        ("Kablosuz klavye", "BLG-003", "899.00"),
    )),
    "Beyaz Eşya": (None, (
        ("Buzdolabı", "BYZ-001", "27999.00"), ("Çamaşır makinesi", "BYZ-002", "16999.00"),
        ("Bulaşık makinesi", "BYZ-003", "14499.00"),
    )),
    "Mobilya": (None, (
        ("Çalışma masası", "MOB-001", "4599.00"), ("Ofis koltuğu", "MOB-002", "3899.00"),
        ("Kitaplık", "MOB-003", "2299.00"),
    )),
    "Tekstil": (None, (
        ("Pamuklu tişört", "TKS-001", "299.00"), ("Nevresim takımı", "TKS-002", "1299.00"),
        ("İş önlüğü", "TKS-003", "449.00"),
    )),
    "Gıda": (None, (
        ("Antep fıstığı 1 kg", "GID-001", "899.00"), ("Türk kahvesi 500 g", "GID-002", "329.00"),
        ("Zeytinyağı 5 L", "GID-003", "1249.00"),
    )),
    "Kırtasiye": (None, (
        ("A4 fotokopi kağıdı (koli)", "KRT-001", "749.00"), ("Toner", "KRT-002", "1899.00"),
    )),
    "Yedek Parça": (None, (
        ("Rulman seti", "YDK-001", "1150.00"), ("Hidrolik pompa", "YDK-002", "8900.00"),
    )),
    "Hizmet": (None, ()),
    "Bakım ve Onarım": ("Hizmet", (
        ("Yıllık bakım sözleşmesi", "HZM-001", "12000.00"),
        ("Servis ziyareti", "HZM-002", "1500.00"),
    )),
    "Danışmanlık": ("Hizmet", (
        ("Danışmanlık günü", "HZM-003", "9500.00"), ("Eğitim paketi", "HZM-004", "6500.00"),
    )),
    "Yazılım Lisansı": (None, (
        ("Muhasebe yazılımı (yıllık)", "YZL-001", "5400.00"),
        ("E-fatura paketi", "YZL-002", "1800.00"),
    )),
}  # fmt: skip


def weighted_provinces() -> list[str]:
    """Every province, repeated by its weight: a uniform pick from it follows the weights."""
    return [province for province in PROVINCES for _ in range(PROVINCE_WEIGHTS.get(province, 1))]


def first_names() -> list[str]:
    """Common names weighted up, then Faker's long tail (only clean, foldable ones)."""
    tail = [
        name
        for name in (*FakerPerson.first_names_male, *FakerPerson.first_names_female)
        if fold(name).isascii() and fold(name).isalpha()
    ]
    return list(COMMON_FIRST_NAMES) * 12 + tail


def last_names() -> list[str]:
    return list(COMMON_LAST_NAMES) * 3 + list(FakerPerson.last_names)


def catalogue_ensure(*, tenant: Tenant) -> list[Product]:
    """Create the demo catalogue's categories and products the tenant lacks; return its products."""
    existing = {c.name: c for c in ProductCategory.objects.filter(tenant=tenant)}
    for name, (parent_name, _products) in CATALOGUE.items():
        if name not in existing:
            existing[name] = ProductCategory.objects.create(
                tenant=tenant,
                name=name,
                parent=existing[parent_name] if parent_name else None,
            )
    skus = set(Product.objects.filter(tenant=tenant).values_list("sku", flat=True))
    Product.objects.bulk_create(
        [
            Product(
                tenant=tenant,
                name=product,
                sku=sku,
                category=existing[category],
                list_price=Decimal(price),
            )
            for category, (_parent, products) in CATALOGUE.items()
            for product, sku, price in products
            if sku not in skus
        ]
    )
    return list(Product.objects.filter(tenant=tenant, sku__in=_catalogue_skus()).order_by("sku"))


def _catalogue_skus() -> list[str]:
    return [sku for _p, products in CATALOGUE.values() for _n, sku, _price in products]


# --- The generator ----------------------------------------------------------------------------

# Above this many new rows a table's secondary indexes and foreign keys are dropped and rebuilt:
# one sort per index and one anti-join per foreign key are much cheaper than maintaining them
# row by row (and Django's deferred foreign keys would queue one trigger event per row).
BULK_THRESHOLD = 200_000


@dataclass(frozen=True)
class ScaleDataSize:
    customers: int
    transactions: int
    interactions: int
    feedback: int


@dataclass
class ScaleDataResult:
    tenant: Tenant
    size: ScaleDataSize
    first_customer_id: int
    seconds: dict[str, float]


_SQL_DIR = Path(__file__).resolve().parent / "sql"


def _sql(name: str) -> str:
    """The statement in customers/sql/<name>.sql (parameters in psycopg's %(name)s style)."""
    return (_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _table(model) -> str:
    return model._meta.db_table


@contextmanager
def _bulk_loading(cursor, model, *, rows: int, timings: dict[str, float]) -> Iterator[None]:
    """Drop the table's secondary indexes and foreign keys for a big load, rebuild them after.

    Rebuilding validates everything again (unique indexes, foreign keys), so a bad row still
    fails the whole load; it runs inside the caller's transaction.
    """
    if rows < BULK_THRESHOLD:
        yield
        return
    table = _table(model)
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype = 'f'
        """,
        [table],
    )
    foreign_keys = cursor.fetchall()
    for name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    started = time.monotonic()
    for _name, definition in indexes:
        cursor.execute(definition)
    timings[f"{table}: rebuild {len(indexes)} indexes"] = time.monotonic() - started
    started = time.monotonic()
    for name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    timings[f"{table}: check {len(foreign_keys)} foreign keys"] = time.monotonic() - started


def _owners_ensure(*, tenant: Tenant, count: int = 10) -> list[int]:
    """The tenant's sales people and managers; a bare tenant gets `count` sales users."""
    owners = list(
        Membership.objects.filter(tenant=tenant, role__in=[Role.SALES, Role.MANAGER])
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    if owners:
        return owners
    user_model = get_user_model()
    for number in range(1, count + 1):
        user, _created = user_model.objects.get_or_create(
            username=f"{tenant.slug}-satis-{number}",
            defaults={
                "first_name": COMMON_FIRST_NAMES[number % len(COMMON_FIRST_NAMES)],
                "last_name": COMMON_LAST_NAMES[number % len(COMMON_LAST_NAMES)],
            },
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.SALES})
        owners.append(user.pk)
    return owners


def _vocabulary_parameters() -> dict[str, object]:
    firsts = first_names()
    lasts = last_names()
    provinces = weighted_provinces()
    return {
        "first_names": firsts,
        "first_ascii": [fold(name) for name in firsts],
        "last_names": lasts,
        "last_ascii": [fold(name) for name in lasts],
        "company_words": list(COMPANY_WORDS),
        "company_ascii": [fold(word) for word in COMPANY_WORDS],
        "industries": [industry for industry, _word in INDUSTRIES],
        "industry_words": [word for _industry, word in INDUSTRIES],
        "industry_ascii": [fold(word) for _industry, word in INDUSTRIES],
        "suffixes": list(COMPANY_SUFFIXES),
        "domains": list(EMAIL_DOMAINS),
        "mobile_prefixes": list(MOBILE_PREFIXES),
        "streets": list(STREETS),
        "provinces": provinces,
        "regions": [region_for_city(province) for province in provinces],
        "termination_reasons": list(TERMINATION_REASONS),
        "tags": list(TAGS),
        "subjects": list(INTERACTION_SUBJECTS),
        "complaints": list(FEEDBACK_TEXTS["complaint"]),
        "suggestions": list(FEEDBACK_TEXTS["suggestion"]),
        "praise": list(FEEDBACK_TEXTS["praise"]),
        "surveys": list(FEEDBACK_TEXTS["survey"]),
    }


def default_size(*, customers: int, transactions: int) -> ScaleDataSize:
    """Contacts and feedback in proportion: two contacts and 0.2 feedback items per customer."""
    return ScaleDataSize(
        customers=customers,
        transactions=transactions,
        interactions=customers * 2,
        feedback=customers // 5,
    )


def scale_data_generate(
    *,
    tenant: Tenant,
    size: ScaleDataSize,
    seed: int = 0,
    log: Callable[[str], None] = lambda line: None,
) -> ScaleDataResult:
    """Add `size` customers, purchases, contacts, feedback and consent records to the tenant.

    One transaction: either all of it is there afterwards or none. Call within the tenant's
    scope or with scopes disabled (it reads the tenant's catalogue and members). Above
    BULK_THRESHOLD rows a table's indexes and foreign keys are rebuilt, which locks it (and the
    tables it references) until the end: meant for bench and staging databases.
    """
    if size.customers < 1 or size.transactions < 0:
        raise ValueError("Need at least one customer and no negative counts.")
    timings: dict[str, float] = {}

    @contextmanager
    def step(name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        timings[name] = time.monotonic() - started
        log(f"{name}: {timings[name]:.1f} s")

    rng = random.Random(seed)
    # Dropping and rebuilding indexes and ANALYZE are the tables' owner's: a data generator
    # works as the owner, not as the row-level security role (crm/rls.py).
    with owner_mode(), transaction.atomic(), connection.cursor() as cursor:
        with step("catalogue and owners"):
            products = catalogue_ensure(tenant=tenant)
            owners = _owners_ensure(tenant=tenant)
            # Check the new rows' deferred foreign keys now: a table with pending trigger
            # events cannot be altered, and the bulk load drops and re-adds foreign keys.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Session settings for a bulk load only: they end with this connection's transaction.
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
        cursor.execute(_sql("scale_tax_number_functions"))
        # Reserve a block of ids, so referrals and purchases can point at customers by number.
        cursor.execute(f"LOCK TABLE {_table(Customer)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [_table(Customer)])
        first_id = cursor.fetchone()[0]
        last_id = first_id + size.customers - 1
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [_table(Customer), last_id]
        )
        # External ids continue after the generator's earlier runs in this tenant.
        customer_offset = Customer.objects.filter(
            tenant=tenant, external_id__regex=r"^C[0-9]{8}$"
        ).count()
        transaction_offset = Transaction.objects.filter(
            tenant=tenant, external_id__regex=r"^T[0-9]{9}$"
        ).count()
        parameters = {
            **_vocabulary_parameters(),
            "tenant": tenant.pk,
            "customers": size.customers,
            "interactions": size.interactions,
            "feedback": size.feedback,
            "first_id": first_id,
            "last_id": last_id,
            "owners": owners,
            "product_ids": [product.pk for product in products],
            "category_ids": [product.category_id for product in products],
            "external_offset": customer_offset,
        }
        with step("plan (who buys how much, when)"):
            cursor.execute(_sql("scale_plan"), {**parameters, "transactions": size.transactions})
            cursor.execute("ALTER TABLE scale_plan ADD PRIMARY KEY (rn)")
            cursor.execute(_sql("scale_plan_offsets"))
            cursor.execute("ALTER TABLE scale_offsets ADD PRIMARY KEY (rn)")
        with (
            step(f"customers ({size.customers:,})"),
            _bulk_loading(cursor, Customer, rows=size.customers, timings=timings),
        ):
            cursor.execute(_sql("scale_customers"), parameters)
        cursor.execute("SELECT coalesce(sum(purchases), 0) FROM scale_plan")
        purchases = cursor.fetchone()[0]
        with (
            step(f"transactions ({purchases:,})"),
            _bulk_loading(cursor, Transaction, rows=purchases, timings=timings),
        ):
            cursor.execute(
                _sql("scale_transactions"), {**parameters, "external_offset": transaction_offset}
            )
        with (
            step(f"interactions ({size.interactions:,})"),
            _bulk_loading(cursor, Interaction, rows=size.interactions, timings=timings),
        ):
            cursor.execute(_sql("scale_interactions"), parameters)
        with (
            step(f"feedback (~{size.feedback:,})"),
            _bulk_loading(cursor, Feedback, rows=size.feedback, timings=timings),
        ):
            cursor.execute(_sql("scale_feedback"), parameters)
        with (
            step("consent records"),
            _bulk_loading(cursor, ConsentRecord, rows=size.customers, timings=timings),
        ):
            cursor.execute(_sql("scale_consent_records"), parameters)
        # ON COMMIT DROP would do, but a caller's outer transaction may run us twice.
        cursor.execute("DROP TABLE scale_plan, scale_offsets")
    with step("customer activity"):
        customer_activity_refresh(tenant=tenant)
    with step("analyze"), owner_mode(), connection.cursor() as cursor:
        for model in (
            Customer,
            Transaction,
            Interaction,
            Feedback,
            ConsentRecord,
            CustomerActivity,
        ):
            cursor.execute(f"ANALYZE {_table(model)}")
    return ScaleDataResult(tenant=tenant, size=size, first_customer_id=first_id, seconds=timings)
