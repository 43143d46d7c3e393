"""Validating one CSV row with the model's own rules; a row is kept or rejected with reasons.

A reader is built once per import (header positions, choice lookups, the tenant's catalogue),
then `read(cells)` turns each row into a tuple in `FIELDS` order, or a list of reasons. Rows
are tuples, not model instances: the writer COPYs them straight into PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from crm.models import Membership, Tenant
from customers.importing import aliases, parsing
from customers.importing.columns import COLUMNS_BY_KIND, map_header
from customers.models import (
    AcquisitionChannel,
    ContactChannel,
    CustomerKind,
    ImportKind,
    Language,
    LifecycleStage,
    Product,
    ProductCategory,
    SalesChannel,
    TransactionKind,
    TransactionStatus,
)
from customers.regions import region_for_city
from customers.turkish import fold
from customers.validators import validate_turkish_tax_number


class RowErrors(list):
    """The reasons a row is rejected (labelled with the file's header), and which field each
    cell error belongs to (the import preview marks those cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, reason: str) -> None:
        self.append(reason)
        self.by_field.setdefault(field, []).append(reason)


class RowRejected(Exception):
    def __init__(self, reasons: list[str], *, row: tuple = ()) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)
        self.by_field: dict[str, list[str]] = getattr(reasons, "by_field", {})
        self.row = row  # the values read, with defaults where a cell was refused


class RowReader:
    """Reads the cells of one kind of file into tuples; subclasses say how."""

    FIELDS: tuple[str, ...] = ()
    # A field whose staging column has another name (a looked-up id, for instance).
    SQL_NAMES: dict[str, str] = {}
    # Fields written by a statement of their own, not by the upsert.
    LINKED: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        tenant: Tenant,
        header: list[str],
        kind: str,
        positions: dict[str, int] | None = None,
    ) -> None:
        self.tenant = tenant
        self.header = header
        self.kind = kind
        # Confirmed on the import preview, or recognised from the header (commands).
        self.positions = map_header(kind, header) if positions is None else positions
        self.labels = {
            column.name: self.header[self.positions[column.name]].strip().lstrip("\ufeff")
            for column in COLUMNS_BY_KIND[self.kind]
            if column.name in self.positions
        }

    @property
    def present(self) -> set[str]:
        """The fields the file gives: only these are updated on existing rows."""
        return set(self.positions)

    @property
    def updated_columns(self) -> list[str]:
        """The target columns an existing row gets from the file: those the file gives."""
        return [
            self.SQL_NAMES.get(name, name)
            for name in self.FIELDS
            if name in self.present and name != "external_id" and name not in self.LINKED
        ]

    def cells_of(self, record: list[str]) -> dict[str, str]:
        if len(record) < len(self.header):
            record = record + [""] * (len(self.header) - len(record))
        clean = parsing.clean_cell
        return {name: clean(record[position]) for name, position in self.positions.items()}

    def external_id(self, record: list[str]) -> str:
        position = self.positions.get("external_id")  # not chosen yet, on the preview
        return record[position].strip() if position is not None and position < len(record) else ""

    def _parse(
        self,
        cells: dict[str, str],
        name: str,
        parser: Callable[[str], Any],
        errors: list,
        default=None,
    ) -> Any:
        text = cells.get(name, "")
        if not text:
            return default
        try:
            return parser(text)
        except ValueError as exc:
            errors.add(name, f"{self.labels[name]}: {exc}")
        except ValidationError as exc:
            errors.add(name, f"{self.labels[name]}: {' '.join(exc.messages)}")
        return default

    def _require(self, cells: dict[str, str], name: str, errors: RowErrors) -> None:
        if not cells.get(name):
            label = self.labels.get(name, name)
            errors.add(name, _("%(column)s: this value is required.") % {"column": label})


def _phone(text: str) -> str:
    try:
        number = phonenumbers.parse(text, "TR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(_("“%(value)s” is not a valid phone number.") % {"value": text})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(text: str) -> str:
    if len(text) > 254:
        raise ValueError(_("at most %(count)d characters.") % {"count": 254})
    validate_email(text)
    return text


def _tax_number(text: str) -> str:
    digits = text.replace(" ", "")
    validate_turkish_tax_number(digits)
    return digits


def _country(text: str) -> str:
    code = text.upper()
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise ValueError(_("“%(value)s” is not a two-letter country code.") % {"value": text})
    return code


def _tags(text: str) -> list[str]:
    separator = "|" if "|" in text else ","
    return sorted({tag.strip()[:50] for tag in text.split(separator) if tag.strip()})


def _limit(length: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        if len(text) > length:
            raise ValueError(_("at most %(count)d characters.") % {"count": length})
        return text

    return check


class CustomerRowReader(RowReader):
    FIELDS = (
        "external_id", "kind", "first_name", "last_name", "company_name", "email", "phone",
        "address", "city", "region", "country", "industry", "tax_number",
        "acquisition_channel", "acquired_on", "lifecycle_stage", "termination_reason", "tags",
        "birthday", "preferred_channel", "preferred_language", "consent_email", "consent_sms",
        "consent_phone", "notes", "owner", "referred_by",
    )  # fmt: skip
    SQL_NAMES = {"owner": "owner_id", "referred_by": "referred_by_external_id"}
    # The referrer may be a row of the same chunk: linked after the chunk's upsert.
    LINKED = frozenset({"referred_by"})

    def __init__(self, *, tenant: Tenant, header: list[str], positions=None) -> None:
        super().__init__(
            tenant=tenant, header=header, kind=ImportKind.CUSTOMERS, positions=positions
        )
        self.kinds = parsing.Choices(CustomerKind, aliases.CUSTOMER_KIND_ALIASES)
        self.stages = parsing.Choices(LifecycleStage, aliases.STAGE_ALIASES)
        self.acquisition = parsing.Choices(AcquisitionChannel, aliases.ACQUISITION_ALIASES)
        self.contact = parsing.Choices(ContactChannel, aliases.CONTACT_CHANNEL_ALIASES)
        self.languages = parsing.Choices(Language, aliases.LANGUAGE_ALIASES)
        self.members: dict[str, int] = {}
        if "owner" in self.positions:
            memberships = Membership.objects.filter(tenant=tenant)
            for user_id, username, email in memberships.values_list(
                "user_id", "user__username", "user__email"
            ):
                self.members[fold(username)] = user_id
                if email:
                    self.members.setdefault(fold(email), user_id)

    def _owner(self, text: str) -> int:
        try:
            return self.members[fold(text)]
        except KeyError:
            raise ValueError(
                _("no member of your company has the username or email “%(value)s”.")
                % {"value": text}
            ) from None

    @property
    def present(self) -> set[str]:
        # The kind is always decided (given or derived from the names); the region follows
        # the city.
        present = set(self.positions) | {"kind"}
        if "city" in present:
            present.add("region")
        return present

    def read(self, record: list[str]) -> tuple:
        cells = self.cells_of(record)
        errors = RowErrors()
        p = self._parse
        self._require(cells, "external_id", errors)
        external_id = p(cells, "external_id", _limit(100), errors, "")
        first_name = p(cells, "first_name", _limit(100), errors, "")
        last_name = p(cells, "last_name", _limit(100), errors, "")
        company_name = p(cells, "company_name", _limit(200), errors, "")
        default_kind = (
            CustomerKind.COMPANY
            if company_name and not (first_name or last_name)
            else CustomerKind.PERSON
        )
        kind = p(cells, "kind", self.kinds.parse, errors, default_kind)
        if kind == CustomerKind.COMPANY and not company_name:
            errors.append(_("A company needs a company name."))
        if kind == CustomerKind.PERSON and not (first_name or last_name):
            errors.append(_("A person needs a first or last name."))
        city = p(cells, "city", _limit(100), errors, "")
        stage = p(
            cells,
            "lifecycle_stage",
            self.stages.parse,
            errors,
            LifecycleStage.PROSPECT,
        )
        reason = cells.get("termination_reason", "")
        if stage == LifecycleStage.TERMINATED and not reason:
            errors.append(_("A terminated customer needs a reason for termination."))
        row = (
            external_id,
            kind,
            first_name,
            last_name,
            company_name,
            p(cells, "email", _email, errors, ""),
            p(cells, "phone", _phone, errors, ""),
            cells.get("address", ""),
            city,
            region_for_city(city),
            p(cells, "country", _country, errors, "TR"),
            p(cells, "industry", _limit(100), errors, ""),
            p(cells, "tax_number", _tax_number, errors, ""),
            p(
                cells,
                "acquisition_channel",
                self.acquisition.parse,
                errors,
                "",
            ),
            p(cells, "acquired_on", parsing.parse_date, errors),
            stage,
            reason,
            p(cells, "tags", _tags, errors, []),
            p(cells, "birthday", parsing.parse_date, errors),
            p(
                cells,
                "preferred_channel",
                self.contact.parse,
                errors,
                "",
            ),
            p(
                cells,
                "preferred_language",
                self.languages.parse,
                errors,
                Language.TURKISH,
            ),
            p(cells, "consent_email", parsing.parse_bool, errors, False),
            p(cells, "consent_sms", parsing.parse_bool, errors, False),
            p(cells, "consent_phone", parsing.parse_bool, errors, False),
            cells.get("notes", ""),
            p(cells, "owner", self._owner, errors),
            p(cells, "referred_by", _limit(100), errors, ""),
        )
        if external_id and row[-1] == external_id:
            errors.add("referred_by", _("A customer cannot refer themselves."))
        if errors:
            raise RowRejected(errors, row=row)
        return row


def _non_negative(text: str) -> Decimal:
    amount = parsing.parse_decimal(text)
    if amount < 0:
        raise ValueError(_("must be 0 or more."))
    if amount.as_tuple().exponent < -2 or abs(amount) >= Decimal("1e12"):
        raise ValueError(_("“%(value)s” has too many digits.") % {"value": text})
    return amount


def _quantity(text: str) -> Decimal:
    quantity = parsing.parse_decimal(text)
    if quantity <= 0:
        raise ValueError(_("must be more than 0."))
    if quantity.as_tuple().exponent < -3 or quantity >= Decimal("1e9"):
        raise ValueError(_("“%(value)s” has too many digits.") % {"value": text})
    return quantity


def _currency(text: str) -> str:
    code = text.upper()
    if code == "TL":
        return "TRY"
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValueError(_("“%(value)s” is not a three-letter currency code.") % {"value": text})
    return code


class TransactionRowReader(RowReader):
    # customer_external_id is replaced by the customer's id when the chunk is written.
    SQL_NAMES = {
        "customer_external_id": "customer_id",
        "category": "category_id",
        "product_code": "product_id",
    }
    FIELDS = (
        "external_id", "customer_external_id", "occurred_at", "amount", "cost", "currency",
        "category", "product_code", "channel", "quantity", "status", "kind", "due_date",
        "paid_date",
    )  # fmt: skip

    def __init__(self, *, tenant: Tenant, header: list[str], positions=None) -> None:
        super().__init__(
            tenant=tenant, header=header, kind=ImportKind.TRANSACTIONS, positions=positions
        )
        self.zone = tenant.zone
        self.channels = parsing.Choices(SalesChannel, aliases.SALES_CHANNEL_ALIASES)
        self.statuses = parsing.Choices(TransactionStatus, aliases.STATUS_ALIASES)
        self.kinds = parsing.Choices(TransactionKind, aliases.TRANSACTION_KIND_ALIASES)
        # The catalogue is small next to the transactions: look it up in memory.
        self.categories: dict[str, int] = {}
        self.products: dict[str, int] = {}
        if "category" in self.positions:
            for pk, name in ProductCategory.objects.filter(tenant=tenant).values_list("pk", "name"):
                self.categories[fold(name)] = pk
        if "product_code" in self.positions:
            for pk, sku in Product.objects.filter(tenant=tenant).values_list("pk", "sku"):
                self.products[fold(sku)] = pk
        self._datetimes: dict[str, Any] = {}

    def _category(self, text: str) -> int:
        try:
            return self.categories[fold(text)]
        except KeyError:
            raise ValueError(_("no product category “%(value)s”.") % {"value": text}) from None

    def _product(self, text: str) -> int:
        try:
            return self.products[fold(text)]
        except KeyError:
            raise ValueError(_("no product with code “%(value)s”.") % {"value": text}) from None

    def _occurred_at(self, text: str):
        # Files repeat the same dates a lot; the zone arithmetic is the slow part.
        try:
            return self._datetimes[text]
        except KeyError:
            value = self._datetimes[text] = parsing.parse_datetime(text, self.zone)
            if len(self._datetimes) > 50_000:
                self._datetimes.clear()
            return value

    def read(self, record: list[str]) -> tuple:
        cells = self.cells_of(record)
        errors = RowErrors()
        p = self._parse
        for name in ("external_id", "customer_external_id", "occurred_at", "amount"):
            self._require(cells, name, errors)
        row = (
            p(cells, "external_id", _limit(100), errors, ""),
            cells.get("customer_external_id", ""),
            p(cells, "occurred_at", self._occurred_at, errors),
            p(cells, "amount", _non_negative, errors),
            p(cells, "cost", _non_negative, errors),
            p(cells, "currency", _currency, errors, self.tenant.currency),
            p(cells, "category", self._category, errors),
            p(cells, "product_code", self._product, errors),
            p(cells, "channel", self.channels.parse, errors, ""),
            p(cells, "quantity", _quantity, errors, Decimal("1")),
            p(
                cells,
                "status",
                self.statuses.parse,
                errors,
                TransactionStatus.COMPLETED,
            ),
            p(
                cells,
                "kind",
                self.kinds.parse,
                errors,
                TransactionKind.PURCHASE,
            ),
            p(cells, "due_date", parsing.parse_date, errors),
            p(cells, "paid_date", parsing.parse_date, errors),
        )
        if errors:
            raise RowRejected(errors, row=row)
        return row


def reader_for(
    kind: str, *, tenant: Tenant, header: list[str], positions: dict[str, int] | None = None
) -> RowReader:
    """The reader of one kind of file; `positions` (column name -> position) as confirmed on
    the preview, or None to take the columns the header names."""
    readers = {
        ImportKind.CUSTOMERS: CustomerRowReader,
        ImportKind.TRANSACTIONS: TransactionRowReader,
    }
    return readers[kind](tenant=tenant, header=header, positions=positions)
