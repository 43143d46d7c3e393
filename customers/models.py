"""The customer record and everything that happens with a customer: purchases (transactions),
contacts (interactions), feedback and complaints, consent, and the tenant's product catalogue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from crm.models import TenantOwnedModel
from customers.turkish import SimpleTsVector, TurkishFold, TurkishSortKey
from customers.validators import validate_turkish_tax_number


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    LAPSED = "lapsed", _("Lapsed")
    WON_BACK = "won_back", _("Won back")
    TERMINATED = "terminated", _("Terminated")


class AcquisitionChannel(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    WEB = "web", _("Website")
    SOCIAL = "social", _("Social media")
    ADVERTISING = "advertising", _("Advertising")
    FIELD_SALES = "field_sales", _("Field sales")
    STORE = "store", _("Store")
    EVENT = "event", _("Trade fair or event")
    PARTNER = "partner", _("Partner or dealer")
    OTHER = "other", _("Other")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    WEB = "web", _("Web")
    SOCIAL = "social", _("Social media")


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone call")


# The Customer field holding the current consent of each channel.
CONSENT_FIELD_BY_CHANNEL: dict[str, str] = {
    ConsentChannel.EMAIL: "consent_email",
    ConsentChannel.SMS: "consent_sms",
    ConsentChannel.PHONE: "consent_phone",
}


class Language(models.TextChoices):
    TURKISH = "tr", _("Turkish")
    ENGLISH = "en", _("English")


def _customer_name() -> models.Case:
    """The company name, or the person's full name: what the list shows and sorts by."""
    return models.Case(
        models.When(kind=CustomerKind.COMPANY, then="company_name"),
        default=Concat("first_name", Value(" "), "last_name"),
    )


class Customer(TenantOwnedModel):
    """A person or a company the tenant sells to (or hopes to)."""

    kind = models.CharField(
        _("type"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    display_name = models.GeneratedField(
        expression=_customer_name(),
        output_field=models.CharField(max_length=301),
        db_persist=True,
        verbose_name=_("name"),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city / province"), max_length=100, blank=True)
    region = models.CharField(
        _("region"),
        max_length=50,
        blank=True,
        help_text=_("Geographic region; filled in from the province for Turkish addresses."),
    )
    country = models.CharField(_("country"), max_length=2, default="TR")
    industry = models.CharField(_("industry / sector"), max_length=100, blank=True)
    tax_number = models.CharField(
        _("tax number"),
        max_length=11,
        blank=True,
        validators=[validate_turkish_tax_number],
        help_text=_("TCKN (11 digits) for persons or VKN (10 digits) for companies."),
    )
    acquisition_channel = models.CharField(
        _("acquisition channel"), max_length=20, choices=AcquisitionChannel.choices, blank=True
    )
    acquired_on = models.DateField(_("acquisition date"), null=True, blank=True)
    referred_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("owner"),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.PROSPECT,
    )
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    tags = ArrayField(
        models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags")
    )
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=ContactChannel.choices, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.TURKISH
    )
    # Current consent per channel; ConsentRecord keeps the history (KVKK / İYS evidence).
    consent_email = models.BooleanField(_("email consent"), default=False)
    consent_sms = models.BooleanField(_("SMS consent"), default=False)
    consent_phone = models.BooleanField(_("phone consent"), default=False)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The customer's id in another system; used to match imports."),
    )
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Search and sort helpers, kept by PostgreSQL itself (see customers/turkish.py).
    name_sort_key = models.GeneratedField(
        expression=TurkishSortKey(_customer_name()),
        output_field=models.CharField(max_length=301, db_collation="C"),
        db_persist=True,
    )
    search_vector = models.GeneratedField(
        expression=SimpleTsVector(
            TurkishFold(
                Concat(
                    "first_name",
                    Value(" "),
                    "last_name",
                    Value(" "),
                    "company_name",
                    Value(" "),
                    "email",
                    Value(" "),
                    "phone",
                    Value(" "),
                    # national form too, so "0532 123" and "532123" both find +90532123....
                    models.Func(
                        Coalesce("phone", Value("")),
                        Value(r"^\+90"),
                        Value("0"),
                        function="regexp_replace",
                    ),
                    Value(" "),
                    "tax_number",
                    Value(" "),
                    "external_id",
                    output_field=models.TextField(),
                )
            ),
            output_field=SearchVectorField(),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="customer_external_id_unique_per_tenant",
            ),
            models.CheckConstraint(
                condition=Q(kind=CustomerKind.PERSON) & (~Q(first_name="") | ~Q(last_name=""))
                | Q(kind=CustomerKind.COMPANY) & ~Q(company_name=""),
                name="customer_has_a_name",
            ),
            models.CheckConstraint(
                condition=~Q(lifecycle_stage=LifecycleStage.TERMINATED) | ~Q(termination_reason=""),
                name="customer_termination_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CustomerKind.values), name="customer_valid_kind"
            ),
            models.CheckConstraint(
                condition=Q(lifecycle_stage__in=LifecycleStage.values),
                name="customer_valid_lifecycle_stage",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="customer_country_iso_code"
            ),
            models.CheckConstraint(
                condition=Q(tax_number="") | Q(tax_number__regex=r"^[0-9]{10,11}$"),
                name="customer_tax_number_digits",
            ),
            models.CheckConstraint(
                condition=~Q(referred_by=models.F("id")), name="customer_not_self_referred"
            ),
        ]
        indexes = [
            # The list's default order, and keyset-friendly sorting by name.
            models.Index(fields=["tenant", "name_sort_key", "id"], name="customer_name_sort"),
            models.Index(fields=["tenant", "-created_at", "-id"], name="customer_newest"),
            GinIndex(fields=["search_vector"], name="customer_search"),
            GinIndex(fields=["tags"], name="customer_tags"),
            models.Index(fields=["tenant", "email"], name="customer_email"),
            models.Index(fields=["tenant", "phone"], name="customer_phone"),
            models.Index(fields=["tenant", "tax_number"], name="customer_tax_number"),
            # A stage, newest first: stages follow age (the newest are rarely "at risk"), so
            # walking customer_newest and skipping other stages reads far (120 ms at 1M rows).
            models.Index(
                fields=["tenant", "lifecycle_stage", "-created_at", "-id"],
                name="customer_lifecycle",
            ),
            # A stage in the default name order: a rare stage (terminated) in a rare region
            # walked customer_name_sort for 55-127 ms at 1M customers; this reads 0.3 ms.
            models.Index(
                fields=["tenant", "lifecycle_stage", "name_sort_key", "id"],
                name="customer_stage_name",
            ),
            # "My customers" and the city sort/filter, each already in name order.
            models.Index(fields=["tenant", "owner", "name_sort_key", "id"], name="customer_owner"),
            models.Index(fields=["tenant", "city", "name_sort_key", "id"], name="customer_city"),
            # Region with the city sort: region follows from the city, so walking the city
            # index and skipping other regions' cities would read most of the tenant.
            models.Index(
                fields=["tenant", "region", "city", "name_sort_key", "id"], name="customer_region"
            ),
            models.Index(fields=["tenant", "industry"], name="customer_industry"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.company_name or f"{self.first_name} {self.last_name}"


# The customer list's "revenue" column: completed purchases of the last twelve months.
REVENUE_WINDOW_DAYS = 365


class CustomerActivity(TenantOwnedModel):
    """Per customer, what the customer list shows and sorts by beside the record itself: the
    last purchase, the last contact and the revenue of the last REVENUE_WINDOW_DAYS.

    Kept by services.customer_activity_refresh: after a sale, a contact or an import for the
    customers concerned, and nightly for the whole tenant (the window moves). A table of its own,
    so that its indexes serve the sorts at a million customers and its updates leave the
    customer table (and its many indexes) alone.
    """

    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="activity",
        verbose_name=_("customer"),
    )
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    revenue_window = models.DecimalField(
        _("revenue (12 months)"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer activity")
        verbose_name_plural = _("customer activity")
        constraints = [
            models.CheckConstraint(
                condition=Q(revenue_window__gte=0), name="customer_activity_revenue_gte_0"
            ),
        ]
        indexes = [
            models.Index(
                F("tenant"),
                F("last_purchase_at").desc(nulls_last=True),
                F("customer").desc(),
                name="activity_last_purchase",
            ),
            models.Index(
                F("tenant"),
                F("last_contact_at").desc(nulls_last=True),
                F("customer").desc(),
                name="activity_last_contact",
            ),
            models.Index(
                F("tenant"),
                F("last_contact_at").asc(nulls_first=True),
                F("customer"),
                name="activity_contact_oldest",
            ),
            models.Index(
                F("tenant"),
                F("revenue_window").desc(),
                F("customer").desc(),
                name="activity_revenue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.revenue_window}"


class SavedView(TenantOwnedModel):
    """A user's named customer list: its filters and sort as the list's query string
    ("my Platin and Altın customers not contacted for 60 days")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_customer_views",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "name"], name="saved_view_name_per_user"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="saved_view_has_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AgendaSettings(TenantOwnedModel):
    """A company's rules for the sales staff's agenda on the home page."""

    tenant = models.OneToOneField(
        "crm.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    quiet_days = models.PositiveSmallIntegerField(
        _("not contacted for (days)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A high-value customer with no contact for this many days is on the agenda."),
    )
    high_value_tiers = models.PositiveSmallIntegerField(
        _("high-value tiers"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many tiers from the peak of the pyramid count as high value."),
    )
    feedback_overdue_days = models.PositiveSmallIntegerField(
        _("feedback answered within (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Open feedback older than this is marked overdue."),
    )

    class Meta:
        verbose_name = _("agenda settings")
        verbose_name_plural = _("agenda settings")
        constraints = [
            models.CheckConstraint(condition=Q(quiet_days__gte=1), name="agenda_quiet_days_gte_1"),
            models.CheckConstraint(
                condition=Q(high_value_tiers__gte=1), name="agenda_high_value_tiers_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(feedback_overdue_days__gte=1), name="agenda_feedback_days_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Agenda settings"))


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    SIGNED_FORM = "signed_form", _("Signed form")
    PHONE_CALL = "phone_call", _("Phone call (recorded)")
    EMAIL_REPLY = "email_reply", _("Email reply")
    IYS = "iys", _("İYS (İleti Yönetim Sistemi)")
    IMPORT = "import", _("Import")
    IN_STORE = "in_store", _("In store")


class ConsentRecord(TenantOwnedModel):
    """One grant or withdrawal of consent for commercial messages on one channel (KVKK/İYS)."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="consent_records",
        verbose_name=_("customer"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("given or withdrawn at"), default=timezone.now)
    source = models.CharField(_("how"), max_length=20, choices=ConsentSource.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["customer", "channel", "-recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ConsentChannel.values), name="consent_valid_channel"
            ),
        ]


class ProductCategory(TenantOwnedModel):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="category_name_per_tenant"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(TenantOwnedModel):
    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("product code"), max_length=64)
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("category"),
    )
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="product_sku_per_tenant"),
            models.CheckConstraint(
                condition=Q(list_price__gte=0) | Q(list_price__isnull=True),
                name="product_list_price_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class SalesChannel(models.TextChoices):
    STORE = "store", _("Store")
    WEB = "web", _("Online shop")
    PHONE = "phone", _("Phone")
    FIELD = "field", _("Field sales")
    PARTNER = "partner", _("Partner or dealer")
    MARKETPLACE = "marketplace", _("Marketplace")


class TransactionStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    REFUNDED = "refunded", _("Refunded")


class TransactionKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    # The customer's share of a joint cost (co-marketing, shared investment): a value key.
    COST_SHARE = "cost_share", _("Cost sharing / co-investment")


class Transaction(TenantOwnedModel):
    """A purchase (or a cost-sharing contribution) by a customer."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("customer"),
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=TransactionKind.choices, default=TransactionKind.PURCHASE
    )
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(
        _("cost"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What the sale cost you; used for the margin."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="TRY")
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("product category"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("product"),
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=SalesChannel.choices, blank=True
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransactionStatus.choices,
        default=TransactionStatus.COMPLETED,
    )
    due_date = models.DateField(_("payment due"), null=True, blank=True)
    paid_date = models.DateField(_("paid on"), null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The import that created the row (customers/events.py hands it to the apps that react).
    # No database constraint: an FK trigger per row would slow a 100,000-row import.
    import_job = models.ForeignKey(
        "customers.ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("import"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="transaction_external_id_unique_per_tenant",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="transaction_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(cost__gte=0) | Q(cost__isnull=True), name="transaction_cost_gte_0"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transaction_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="transaction_currency_iso_code"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransactionStatus.values), name="transaction_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TransactionKind.values), name="transaction_valid_kind"
            ),
        ]
        indexes = [
            # The customer page's purchase history and totals.
            models.Index(fields=["customer", "-occurred_at"], name="transaction_customer_time"),
            # Scoring scans a tenant's transactions in a window; the covering columns let it
            # aggregate from the index alone.
            models.Index(
                fields=["tenant", "occurred_at"],
                name="transaction_tenant_time",
                include=["customer", "amount", "cost", "status", "kind", "due_date", "paid_date"],
            ),
            models.Index(
                fields=["import_job"],
                condition=Q(import_job__isnull=False),
                name="transaction_import_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.amount} {self.currency}"

    @property
    def margin(self) -> Decimal | None:
        return None if self.cost is None else self.amount - self.cost

    @property
    def is_paid_late(self) -> bool:
        if self.due_date is None:
            return False
        if self.paid_date is None:
            return self.due_date < timezone.localdate()
        return self.paid_date > self.due_date


class InteractionDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound (customer contacted us)")
    OUTBOUND = "outbound", _("Outbound (we contacted the customer)")


class InteractionOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    INTERESTED = "interested", _("Interested")
    NOT_INTERESTED = "not_interested", _("Not interested")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    SALE = "sale", _("Sale made")
    COMPLAINT = "complaint", _("Complaint raised")
    INFO_GIVEN = "info_given", _("Information given")


class Interaction(TenantOwnedModel):
    """One contact with a customer: a call, an email, a visit..."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("customer"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=InteractionDirection.choices,
        default=InteractionDirection.OUTBOUND,
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=InteractionOutcome.choices, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # A follow-up: who calls back, by when; done when they have (the rep's agenda on home).
    follow_up_on = models.DateField(_("follow up by"), null=True, blank=True)
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up by"),
    )
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_time"),
            # "My follow-ups" on the home page: small, as only follow-up contacts are in it.
            models.Index(
                fields=["user", "-occurred_at"],
                condition=Q(outcome="follow_up"),
                name="interaction_follow_up",
            ),
            # The agenda: a member's open follow-ups by due date (small: open ones only).
            models.Index(
                fields=["follow_up_owner", "follow_up_on", "id"],
                condition=Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True),
                name="interaction_follow_up_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ContactChannel.values), name="interaction_valid_channel"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_done_at__isnull=True) | Q(follow_up_on__isnull=False),
                name="interaction_follow_up_done_needs_due",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    SURVEY = "survey", _("Survey")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")


class Feedback(TenantOwnedModel):
    """Feedback from a customer; complaints are followed to resolution."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("type"), max_length=12, choices=FeedbackKind.choices)
    nps_score = models.PositiveSmallIntegerField(
        _("NPS score (0–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    satisfaction_score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_feedback",
        verbose_name=_("assigned to"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-opened_at"], name="feedback_customer_time"),
            models.Index(fields=["tenant", "status", "-opened_at"], name="feedback_status"),
            # What still needs attention (the feedback list's default, newest first), and
            # "open complaints assigned to me" on the home page: small partial indexes.
            models.Index(
                fields=["tenant", "-opened_at", "-id"],
                condition=Q(status__in=["open", "in_progress"]),
                name="feedback_unresolved",
            ),
            models.Index(
                fields=["assignee", "opened_at", "id"],
                condition=Q(status__in=["open", "in_progress"]),
                name="feedback_unresolved_assignee",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nps_score__isnull=True) | Q(nps_score__lte=10), name="feedback_nps_0_10"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_score__isnull=True)
                | Q(satisfaction_score__gte=1, satisfaction_score__lte=5),
                name="feedback_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(status=FeedbackStatus.RESOLVED) | Q(resolved_at__isnull=False),
                name="feedback_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="feedback_resolved_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values), name="feedback_valid_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.customer}"

    @property
    def time_to_resolution(self):
        if self.resolved_at is None:
            return None
        return self.resolved_at - self.opened_at


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    TRANSACTIONS = "transactions", _("Transactions")


class ImportStatus(models.TextChoices):
    # Uploaded and checked; nothing is written until the user confirms the column choices.
    PREVIEW = "preview", _("Awaiting confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A chunk of 5,000 rows commits in seconds; minutes without one means the worker is gone.
IMPORT_STALLED_AFTER = timedelta(minutes=10)


class ImportJob(TenantOwnedModel):
    """One CSV import: the uploaded file, its progress, and what happened to each row."""

    kind = models.CharField(_("what"), max_length=12, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_filename = models.CharField(_("file name"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_rows = models.PositiveIntegerField(_("created"), default=0)
    updated_rows = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rejected"), default=0)
    # [{"line": 7, "external_id": "...", "errors": ["..."], "row": {...}}, ...]
    rejections = models.JSONField(_("rejected rows"), default=list, blank=True)
    # The field each header of the file goes to ("" = ignored), as confirmed on the preview;
    # null: the columns the header names (imports run by a command).
    column_mapping = models.JSONField(_("column choices"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moved on every committed chunk: a running job whose heartbeat stops has lost its worker.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The ANALYZE of the written tables that ends every import (fresh planner statistics).
    analyze_seconds = models.FloatField(_("statistics update (seconds)"), null=True, blank=True)
    # Uploaded rows are personal data (KVKK): the file and the rejected rows are deleted after
    # settings.CRM_IMPORT_RETENTION_DAYS; the counts stay.
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")) | Q(total_rows=0),
                name="import_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_filename}"

    @property
    def is_stalled(self) -> bool:
        """Running, but no chunk committed for IMPORT_STALLED_AFTER: its worker stopped."""
        if self.status != ImportStatus.RUNNING:
            return False
        last_sign = self.heartbeat_at or self.started_at
        return last_sign is not None and last_sign < timezone.now() - IMPORT_STALLED_AFTER

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
