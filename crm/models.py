"""Tenants, memberships with roles, the audit trail, and the base for every tenant-owned model."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


# Top-level paths that a tenant slug must not shadow.
RESERVED_SLUGS = frozenset(
    {"accounts", "admin", "i18n", "static", "media", "healthz", "p", "go", "unsubscribe"}
)


def validate_slug_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is reserved; choose another."), params={"value": value}
        )


class Tenant(models.Model):
    """A company using the CRM. Every row of business data belongs to exactly one tenant."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("address name"),
        max_length=60,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text=_("Used in the web address: /<address name>/. Letters, digits and hyphens."),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Istanbul", validators=[validate_timezone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="TRY")
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="tr"
    )
    is_active = models.BooleanField(_("active"), default=True)
    sales_may_export = models.BooleanField(
        _("sales staff may export"),
        default=False,
        help_text=_(
            "Export of customers (with their contact data) and transactions is for managers; "
            "tick to allow sales staff too. Every export is recorded in the audit trail."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="tenant_currency_iso_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")


class Membership(models.Model):
    """A user's role in one tenant. A user may belong to several tenants."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SALES)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not scoped: this is the access table the middleware reads to decide the scope itself.
    objects = models.Manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="membership_one_per_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_valid_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.get_role_display()})"


class Invitation(models.Model):
    """An offer to join a tenant with a role, mailed to an address; the person accepts it
    (signing in to their account, or choosing a password for a new one). Only a hash of the
    link's token is kept, so the table cannot be used to accept invitations."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SALES)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    # Not scoped: the person accepting is not (yet) inside the tenant.
    objects = models.Manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per address and tenant: inviting again renews it.
            models.UniqueConstraint(
                models.functions.Lower("email"),
                "tenant",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="invitation_valid_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.tenant} ({self.get_role_display()})"


class CrossTenantAccess(models.Model):
    """One use of the row-level security bypass (crm.rls.all_tenants): why, by whom, when.
    Not tenant-owned: it records work that belongs to no single tenant."""

    reason = models.CharField(_("reason"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("cross-tenant access")
        verbose_name_plural = _("cross-tenant accesses")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.reason}"


class TenantOwnedModel(models.Model):
    """Base for business data: a non-null tenant and a manager that refuses to run unscoped.

    `objects` filters by the active django-scopes scope and raises ScopeError when no tenant
    is active, so a forgotten filter fails loudly instead of leaking other tenants' rows.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


class AuditEntry(TenantOwnedModel):
    """Who did what, when: a dotted action name and the details (pretix's log_action idea)."""

    action = models.CharField(_("action"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
