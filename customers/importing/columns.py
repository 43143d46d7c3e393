"""The columns of each kind of import: canonical names, Turkish and English header aliases,
whether they are required, and an example value (shown in the help panel and the templates).

Headers are matched Turkish-correctly and loosely: "E-posta", "EPOSTA", "e posta" and "email"
are the same column (customers.turkish.fold, then only letters and digits are compared).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from customers.importing.decoding import ImportFileError
from customers.models import ImportKind
from customers.turkish import fold


@dataclass(frozen=True)
class Column:
    name: str  # the English header we write in templates and exports
    turkish: str  # the Turkish header we write in templates
    description: Promise
    example: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    def header_keys(self) -> set[str]:
        return {header_key(text) for text in (self.name, self.turkish, *self.aliases)}


def header_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(text.strip().lstrip("\ufeff")))


CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id",
        "Müşteri No",
        _lazy("Your id for the customer; matches re-imports."),
        "M-1001",
        True,
        ("external id", "harici no", "müşteri kodu", "kod", "id"),
    ),
    Column(
        "kind",
        "Tür",
        _lazy(
            "person or company (kişi / şirket); default: person, or company "
            "when only a company name is given."
        ),
        "kişi",
        False,
        ("type", "müşteri tipi", "tip"),
    ),
    Column(
        "first_name",
        "Ad",
        _lazy("First name (persons)."),
        "Ayşe",
        False,
        ("first name", "adı", "isim"),
    ),
    Column(
        "last_name",
        "Soyad",
        _lazy("Last name (persons)."),
        "Yılmaz",
        False,
        ("last name", "soyadı", "surname"),
    ),
    Column(
        "company_name",
        "Firma Adı",
        _lazy("Company name (companies)."),
        "",
        False,
        ("company name", "company", "firma", "şirket", "şirket adı", "unvan", "ünvan"),
    ),
    Column(
        "email",
        "E-posta",
        _lazy("Email address."),
        "ayse@example.com",
        False,
        ("e-mail", "mail", "eposta adresi"),
    ),
    Column(
        "phone",
        "Telefon",
        _lazy("Phone; Turkish numbers may be written 0532 123 45 67."),
        "0532 123 45 67",
        False,
        ("tel", "gsm", "cep telefonu", "mobile", "telephone"),
    ),
    Column("address", "Adres", _lazy("Postal address."), "Bağdat Cad. No:5 Kadıköy", False, ()),
    Column(
        "city",
        "İl",
        _lazy("City or province; the region is filled in from it."),
        "İstanbul",
        False,
        ("city", "şehir", "province"),
    ),
    Column("country", "Ülke", _lazy("Two-letter country code; default TR."), "TR", False, ()),
    Column("industry", "Sektör", _lazy("Industry or sector."), "Perakende", False, ("sector",)),
    Column(
        "tax_number",
        "Vergi No",
        _lazy("TCKN (11 digits) or VKN (10 digits); checked."),
        "10000000146",
        False,
        ("tax number", "vergi numarası", "vkn", "tckn", "tc kimlik no", "tax id"),
    ),
    Column(
        "acquisition_channel",
        "Kazanım Kanalı",
        _lazy("How the customer found you (web, referral, store...)."),
        "web",
        False,
        ("acquisition channel", "kaynak", "source"),
    ),
    Column(
        "acquired_on",
        "Kazanım Tarihi",
        _lazy("Date the customer was won."),
        "15.03.2024",
        False,
        ("acquisition date", "acquired on"),
    ),
    Column(
        "lifecycle_stage",
        "Aşama",
        _lazy("prospect, new, active, at risk, lapsed, won back or terminated."),
        "active",
        False,
        ("lifecycle stage", "stage", "yaşam döngüsü"),
    ),
    Column(
        "termination_reason",
        "Ayrılma Nedeni",
        _lazy("Required when the stage is terminated."),
        "",
        False,
        ("termination reason",),
    ),
    Column("tags", "Etiketler", _lazy("Tags separated by | or ,."), "vip|bayi", False, ("etiket",)),
    Column("birthday", "Doğum Tarihi", _lazy("Birthday."), "01.02.1985", False, ("date of birth",)),
    Column(
        "preferred_channel",
        "Tercih Edilen Kanal",
        _lazy("phone, email, sms, visit, meeting, web or social."),
        "email",
        False,
        ("preferred channel",),
    ),
    Column(
        "preferred_language",
        "Dil",
        _lazy("tr or en; default tr."),
        "tr",
        False,
        ("language", "preferred language"),
    ),
    Column(
        "consent_email",
        "E-posta İzni",
        _lazy("Email consent: yes/no (evet/hayır)."),
        "evet",
        False,
        ("email consent",),
    ),
    Column(
        "consent_sms",
        "SMS İzni",
        _lazy("SMS consent: yes/no (evet/hayır)."),
        "hayır",
        False,
        ("sms consent",),
    ),
    Column(
        "consent_phone",
        "Arama İzni",
        _lazy("Phone call consent: yes/no (evet/hayır)."),
        "hayır",
        False,
        ("phone consent", "telefon izni"),
    ),
    Column("notes", "Notlar", _lazy("Free text."), "", False, ("not", "açıklama")),
    Column(
        "owner",
        "Temsilci",
        _lazy("The sales person in charge: a member's username or email."),
        "",
        False,
        ("owner email", "sahibi", "satış temsilcisi", "müşteri temsilcisi", "sorumlu"),
    ),
    Column(
        "referred_by",
        "Tavsiye Eden",
        _lazy(
            "External id of the customer who referred this one (imported before, or earlier "
            "in the file)."
        ),
        "",
        False,
        ("referred by", "referans", "referans müşteri no", "tavsiye eden müşteri"),
    ),
)

TRANSACTION_COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id",
        "İşlem No",
        _lazy("Your id for the transaction; matches re-imports."),
        "S-2024-0001",
        True,
        ("external id", "işlem kodu", "transaction id", "fiş no", "fatura no"),
    ),
    Column(
        "customer_external_id",
        "Müşteri No",
        _lazy("The customer's external id (as in the customer import)."),
        "M-1001",
        True,
        ("customer external id", "customer id", "customer", "müşteri kodu", "müşteri"),
    ),
    Column(
        "occurred_at",
        "Tarih",
        _lazy("Date, or date and time (dd.mm.yyyy HH:MM), in the company's time zone."),
        "15.03.2024 14:30",
        True,
        ("date", "occurred at", "işlem tarihi"),
    ),
    Column(
        "amount",
        "Tutar",
        _lazy("Amount, 0 or more; 1.234,56 and 1234.56 both work."),
        "1.234,56",
        True,
        ("toplam", "total"),
    ),
    Column("cost", "Maliyet", _lazy("Cost of the sale, for the margin."), "800,00", False, ()),
    Column(
        "currency",
        "Para Birimi",
        _lazy("Three-letter code; default: the company's."),
        "TRY",
        False,
        ("döviz",),
    ),
    Column(
        "category",
        "Kategori",
        _lazy("An existing product category, by name."),
        "",
        False,
        ("product category", "ürün kategorisi"),
    ),
    Column(
        "product_code",
        "Ürün Kodu",
        _lazy("An existing product, by product code."),
        "",
        False,
        ("product code", "sku", "stok kodu"),
    ),
    Column(
        "channel",
        "Kanal",
        _lazy("store, web, phone, field, partner or marketplace."),
        "store",
        False,
        ("sales channel", "satış kanalı"),
    ),
    Column("quantity", "Adet", _lazy("More than 0; default 1."), "1", False, ("miktar", "qty")),
    Column(
        "status",
        "Durum",
        _lazy("completed or refunded (tamamlandı / iade)."),
        "completed",
        False,
        (),
    ),
    Column(
        "kind",
        "İşlem Türü",
        _lazy("purchase or cost_share; default purchase."),
        "purchase",
        False,
        ("type", "tür"),
    ),
    Column(
        "due_date",
        "Vade Tarihi",
        _lazy("Payment due date."),
        "15.04.2024",
        False,
        ("due date", "vade"),
    ),
    Column(
        "paid_date",
        "Ödeme Tarihi",
        _lazy("Date paid."),
        "10.04.2024",
        False,
        ("paid date", "paid on"),
    ),
)

COLUMNS_BY_KIND: dict[str, tuple[Column, ...]] = {
    ImportKind.CUSTOMERS: CUSTOMER_COLUMNS,
    ImportKind.TRANSACTIONS: TRANSACTION_COLUMNS,
}


def column_label(column: Column) -> str:
    """How a column is named to the user: its Turkish header, then the English one."""
    return f"{column.turkish} / {column.name}"


def columns_by_name(kind: str) -> dict[str, Column]:
    return {column.name: column for column in COLUMNS_BY_KIND[kind]}


# How close a header must be to a known one to be offered as a suggestion: difflib's ratio of
# the folded letters and digits ("telefonno" against "telefon" is 0.88, "epsota" against
# "eposta" 0.83), plus up to 0.2 for a common start.
SUGGESTION_RATIO = 0.75


@dataclass(frozen=True)
class HeaderMatch:
    """How one header of a file was understood, before the user confirms it."""

    position: int
    text: str  # the header as written (BOM and outer spaces removed)
    column: Column | None  # recognised: the header is one of the column's names
    suggestion: Column | None = None  # not recognised, but close to this column's names
    duplicate_of: int | None = None  # recognised, but an earlier header is the same column

    @property
    def field(self) -> str:
        """The field this header goes to without asking: "" when the user must decide."""
        return self.column.name if self.column and self.duplicate_of is None else ""


def suggest_column(kind: str, text: str) -> Column | None:
    """The column an unrecognised header most likely means ("Telefon No", "E-psota"), or None.

    A header that starts or ends with a column's name ("Telefon No", "Müşteri Adı Soyadı") or
    is close to one in spelling counts; the closest wins, the first column on a tie."""
    key = header_key(text)
    if not key:
        return None
    best: tuple[float, Column] | None = None
    for column in COLUMNS_BY_KIND[kind]:
        for name_key in column.header_keys():
            ratio = difflib.SequenceMatcher(None, key, name_key).ratio()
            # People keep the start of a name ("Müşteri Numarası" is "Müşteri No", not the
            # equally close "Vergi Numarası").
            prefix = next(
                (n for n, (a, b) in enumerate(zip(key, name_key, strict=False)) if a != b),
                min(len(key), len(name_key)),
            )
            ratio += 0.2 * prefix / len(name_key)
            if len(name_key) >= 3 and (key.startswith(name_key) or key.endswith(name_key)):
                ratio = max(ratio, SUGGESTION_RATIO)
            if ratio >= SUGGESTION_RATIO and (best is None or ratio > best[0]):
                best = (ratio, column)
    return best[1] if best else None


def match_header(kind: str, header: list[str]) -> list[HeaderMatch]:
    """Each header of the file: the column it names, or a suggestion, or nothing."""
    by_key = {key: column for column in COLUMNS_BY_KIND[kind] for key in column.header_keys()}
    first_position: dict[str, int] = {}
    matches = []
    for position, raw in enumerate(header):
        text = raw.strip().lstrip("\ufeff").strip()
        column = by_key.get(header_key(text))
        if column is None:
            matches.append(HeaderMatch(position, text, None, suggest_column(kind, text)))
            continue
        earlier = first_position.setdefault(column.name, position)
        matches.append(
            HeaderMatch(
                position, text, column, duplicate_of=None if earlier == position else earlier
            )
        )
    return matches


def mapping_positions(kind: str, mapping: list[str]) -> dict[str, int]:
    """Column name -> position, from a confirmed mapping (one field name or "" per header)."""
    known = columns_by_name(kind)
    positions = {name: position for position, name in enumerate(mapping) if name in known}
    missing = [c for c in COLUMNS_BY_KIND[kind] if c.required and c.name not in positions]
    if missing or len(positions) != len([name for name in mapping if name]):
        raise ImportFileError(_("The column choices of this import are not valid."))
    return positions


def mapping_check(kind: str, header: list[str]) -> None:
    """Refuse at upload a file that no choice on the preview can make importable: a required
    column is missing and every header is already one of our columns."""
    matches = match_header(kind, header)
    if any(match.column is None for match in matches):
        return
    named = {match.column.name for match in matches if match.column}
    _missing_check([c for c in COLUMNS_BY_KIND[kind] if c.required and c.name not in named])


def _missing_check(missing: list[Column]) -> None:
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s. The first line must name the columns.")
            % {"columns": ", ".join(column_label(c) for c in missing)}
        )


def map_header(kind: str, header: list[str]) -> dict[str, int]:
    """Column name -> position in the file. Unknown columns are ignored; a missing required
    column or a column given twice is an error the user must fix in the file."""
    columns = COLUMNS_BY_KIND[kind]
    by_key = {key: column for column in columns for key in column.header_keys()}
    positions: dict[str, int] = {}
    duplicates: list[str] = []
    for position, text in enumerate(header):
        column = by_key.get(header_key(text))
        if column is None:
            continue
        if column.name in positions:
            duplicates.append(text.strip())
            continue
        positions[column.name] = position
    _missing_check([c for c in columns if c.required and c.name not in positions])
    if duplicates:
        raise ImportFileError(
            _("These columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicates)}
        )
    return positions
