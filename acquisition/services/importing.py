"""Importing a list of leads from CSV (a trade fair's visitors, a bought list): each row
checked like a lead typed in, and set against the company's customers and the file's earlier
rows by email, phone and tax number, so nobody gets a second record.

The file is read with the customers import's decoding (UTF-8, UTF-8 with BOM or Windows-1254;
comma, semicolon or tab) and headers matched the same loose Turkish-aware way. It runs in the
request: at most MAX_ROWS rows, written with a few bulk statements in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from acquisition.models import CHANNEL_BY_SOURCE, Lead, LeadSource
from campaigns.models import Campaign, Objective
from crm.audit import audit_log
from crm.models import Tenant
from customers.importing.columns import header_key
from customers.importing.decoding import (
    ImportFileError,
    UnreadableRecord,
    inspect_file,
    read_table,
)
from customers.importing.parsing import clean_cell
from customers.models import Customer, CustomerKind, LifecycleStage
from customers.validators import validate_turkish_tax_number

MAX_ROWS = 2000

# canonical name -> the headers it is known by (compared with header_key)
LEAD_COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name", "first name", "ad", "adı", "isim"),
    "last_name": ("last_name", "last name", "soyad", "soyadı", "surname"),
    "company_name": ("company_name", "company", "firma", "firma adı", "şirket", "şirket adı"),
    "email": ("email", "e-posta", "e-mail", "mail"),
    "phone": ("phone", "telefon", "tel", "gsm", "cep telefonu", "mobile"),
    "tax_number": ("tax_number", "tax number", "vergi no", "vkn", "tckn", "tc kimlik no"),
    "source": ("source", "kaynak"),
    "campaign": ("campaign", "kampanya"),
    "source_detail": ("source detail", "kaynak ayrıntısı", "kaynak detayı", "detay"),
    "notes": ("notes", "note", "not", "notlar", "açıklama"),
}
IDENTITY_FIELDS = ("email", "phone", "tax_number")
SOURCE_BY_KEY = {
    header_key(text): value
    for value, label in LeadSource.choices
    for text in (value, str(label), value.replace("_", " "))
} | {"fuar": LeadSource.EVENT, "etkinlik": LeadSource.EVENT, "tavsiye": LeadSource.REFERRAL,
     "web formu": LeadSource.WEB_FORM, "kampanya": LeadSource.CAMPAIGN,
     "mağaza": LeadSource.WALK_IN}  # fmt: skip


@dataclass(frozen=True)
class Duplicate:
    line: int
    name: str
    field: str
    value: str
    customer_id: int | None  # None: an earlier row of the same file
    customer_name: str


@dataclass
class LeadImportResult:
    created: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)


def _positions(header: list[str]) -> dict[str, int]:
    keys = [header_key(text) for text in header]
    positions = {}
    for name, aliases in LEAD_COLUMNS.items():
        wanted = {header_key(alias) for alias in aliases}
        for index, key in enumerate(keys):
            if key in wanted:
                positions[name] = index
                break
    if not {"first_name", "last_name", "company_name"} & set(positions):
        raise ImportFileError(_("The file needs a name column (first name, last name or company)."))
    if not set(IDENTITY_FIELDS) & set(positions):
        raise ImportFileError(_("The file needs an email, phone or tax number column."))
    return positions


def _row(cells: list[str], positions: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    value = {
        name: clean_cell(cells[index]) if index < len(cells) else ""
        for name, index in positions.items()
    }
    errors: list[str] = []
    row: dict[str, Any] = {name: value.get(name, "") for name in LEAD_COLUMNS}
    row["email"] = row["email"].lower()
    if row["email"]:
        try:
            validate_email(row["email"])
        except ValidationError:
            errors.append(_("“%(value)s” is not a valid email address.") % {"value": row["email"]})
    if row["phone"]:
        try:
            number = phonenumbers.parse(row["phone"], "TR")
            valid = phonenumbers.is_valid_number(number)
        except phonenumbers.NumberParseException:
            valid = False
        if valid:
            row["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        else:
            errors.append(_("“%(value)s” is not a valid phone number.") % {"value": row["phone"]})
    if row["tax_number"]:
        row["tax_number"] = row["tax_number"].replace(" ", "")
        try:
            validate_turkish_tax_number(row["tax_number"])
        except ValidationError as exc:
            errors.extend(exc.messages)
    if not (row["first_name"] or row["last_name"] or row["company_name"]):
        errors.append(_("A name is needed."))
    if not (row["email"] or row["phone"] or row["tax_number"]):
        errors.append(_("An email, phone or tax number is needed."))
    source = row["source"]
    row["source"] = SOURCE_BY_KEY.get(header_key(source), None) if source else LeadSource.IMPORT
    if row["source"] is None:
        errors.append(_("“%(value)s” is not a known lead source.") % {"value": source})
    for name, limit in (
        ("first_name", 100),
        ("last_name", 100),
        ("company_name", 200),
        ("campaign", 200),
        ("source_detail", 100),
    ):
        if len(row[name]) > limit:
            errors.append(
                _("%(value)s: at most %(count)d characters.")
                % {"value": row[name][:20], "count": limit}
            )
    return row, errors


def _campaign(
    name: str, campaigns_by_name: dict[str, Campaign], default: Campaign | None
) -> tuple[Campaign | None, list[str]]:
    if not name:
        return default, []
    found = campaigns_by_name.get(header_key(name))
    if found is None:
        return None, [
            _("“%(value)s” is not one of the company's acquisition campaigns.") % {"value": name}
        ]
    return found, []


def _name(row: dict[str, Any]) -> str:
    return row["company_name"] or f"{row['first_name']} {row['last_name']}".strip()


def _known_customers(
    *, tenant: Tenant, rows: Iterable[dict[str, Any]]
) -> dict[tuple[str, str], Customer]:
    """The company's customers with any of the rows' emails, phones or tax numbers (one query)."""
    wanted = {name: set() for name in IDENTITY_FIELDS}
    for row in rows:
        for name in IDENTITY_FIELDS:
            if row[name]:
                wanted[name].add(row[name])
    condition = Q()
    for name, values in wanted.items():
        if values:
            condition |= Q(**{f"{name}__in": sorted(values)})
    if not condition:
        return {}
    found = {}
    for customer in Customer.objects.filter(condition, tenant=tenant).order_by("pk"):
        for name in IDENTITY_FIELDS:
            value = str(getattr(customer, name) or "")
            if value:
                found.setdefault((name, value), customer)
    return found


@transaction.atomic
def leads_import(
    *,
    tenant: Tenant,
    actor: Any,
    raw: BinaryIO,
    campaign: Campaign | None = None,
    source_detail: str = "",
) -> LeadImportResult:
    """Create a lead for each good row that matches no customer and no earlier row; report
    the duplicates (with whom) and the rejected rows (with why).

    A row's campaign column names one of the company's acquisition campaigns (another name
    rejects the row, so a typo never drops the link silently); rows without one get
    `campaign`, and rows without a source detail `source_detail`."""
    if campaign is not None and (
        campaign.tenant_id != tenant.pk or campaign.objective != Objective.ACQUISITION
    ):
        raise ImportFileError(_("Choose one of this company's acquisition campaigns."))
    campaigns_by_name = {
        header_key(known.name): known
        for known in Campaign.objects.filter(tenant=tenant, objective=Objective.ACQUISITION)
    }
    file_format = inspect_file(raw)
    if file_format.total_rows > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)d rows; import at most %(max)d leads at a time.")
            % {"rows": file_format.total_rows, "max": MAX_ROWS}
        )
    header, records = read_table(
        raw, encoding=file_format.encoding, delimiter=file_format.delimiter
    )
    positions = _positions(header)
    result = LeadImportResult()
    good: list[tuple[int, dict[str, Any]]] = []
    for line, cells in records:
        if isinstance(cells, UnreadableRecord):
            result.rejected.append((line, [cells.reason]))
            continue
        row, errors = _row(cells, positions)
        row["campaign"], campaign_error = _campaign(row["campaign"], campaigns_by_name, campaign)
        errors.extend(campaign_error)
        if errors:
            result.rejected.append((line, errors))
        else:
            good.append((line, row))
    known = _known_customers(tenant=tenant, rows=(row for _line, row in good))
    seen: dict[tuple[str, str], str] = {}
    customers, leads = [], []
    for line, row in good:
        duplicate = None
        for name in IDENTITY_FIELDS:
            key = (name, row[name])
            if not row[name]:
                continue
            if key in known:
                customer = known[key]
                duplicate = Duplicate(line, _name(row), name, row[name], customer.pk, str(customer))
            elif key in seen:
                duplicate = Duplicate(line, _name(row), name, row[name], None, seen[key])
            if duplicate:
                break
        if duplicate:
            result.duplicates.append(duplicate)
            continue
        for name in IDENTITY_FIELDS:
            if row[name]:
                seen[(name, row[name])] = _name(row)
        customers.append(
            Customer(
                tenant=tenant,
                kind=CustomerKind.PERSON
                if row["first_name"] or row["last_name"]
                else CustomerKind.COMPANY,
                first_name=row["first_name"],
                last_name=row["last_name"],
                company_name=row["company_name"],
                email=row["email"],
                phone=row["phone"],
                tax_number=row["tax_number"],
                lifecycle_stage=LifecycleStage.PROSPECT,
                acquisition_channel=CHANNEL_BY_SOURCE[row["source"]],
            )
        )
        leads.append(row)
    Customer.objects.bulk_create(customers)
    Lead.objects.bulk_create(
        Lead(
            tenant=tenant,
            customer=customer,
            source=row["source"],
            campaign=row["campaign"],
            source_detail=" ".join((row["source_detail"] or source_detail).split()),
            notes=row["notes"],
        )
        for customer, row in zip(customers, leads, strict=True)
    )
    result.created = len(customers)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="acquisition.leads.imported",
        data={
            "created": result.created,
            "duplicates": len(result.duplicates),
            "rejected": len(result.rejected),
        },
    )
    return result
