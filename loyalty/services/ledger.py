"""The points ledger: earning (set-based, exactly once), release after the return window,
FIFO expiry, refund reversals, manual adjustments, enrolment and leaving.

Balances: every entry's deltas are added to the member's cached balances in the same
statement or transaction, under the member's row lock where a balance goes down; CHECK
constraints refuse a negative balance, so an overdraft is an error, never a state.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from crm.whole_tenant import planner_settings
from customers.models import Customer
from loyalty import sql
from loyalty.models import EntryKind, EntrySource, Member, PointsEntry, Programme
from loyalty.services.errors import LoyaltyError

# A nightly run looks at what fell due since the previous run, with this much overlap (a row
# committed late by a concurrent writer is still seen; keys make the overlap harmless).
RUN_OVERLAP = timedelta(days=1)


@dataclass(frozen=True)
class EarnResult:
    enrolled: int = 0
    entries: int = 0
    points: int = 0


def programme_active(*, tenant: Tenant) -> Programme | None:
    return Programme.objects.filter(tenant=tenant, is_active=True).first()


def _rows(statement: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


# Earning's statements are priced far above jit_optimize_above_cost (the bonus rules' subquery
# is costed per purchase), so PostgreSQL compiled them with inlining and optimisation on every
# run: 174 functions, 2 to 8 s of compiling (under load) for a few seconds of plain inserts.
WITHOUT_JIT = {"jit": "off"}
# The fast path's statement joins its CTEs with one another (purchases × members): on an
# import's purchases before their table was analysed (1 row expected for 100,000) those joins
# were planned as nested loops, 100,000 × 20,000 comparisons (stopped after 8 minutes). An
# import's or the nightly run's earning joins them by hashing; a sale's few ids keep the
# nested loops over the indexes (hashing would read all the tenant's members).
BULK_JOINS = {"enable_nestloop": "off"}


def _programme_params(*, tenant: Tenant, programme: Programme) -> dict[str, Any]:
    starts_at = datetime.combine(programme.starts_on, time.min, tzinfo=tenant.zone)
    return {
        "tenant": tenant.pk,
        "starts_at": starts_at,
        "any_buyer": programme.enrolment == "buyers",
        "window_days": programme.return_window_days,
        "expiry_months": programme.expiry_months,
        "points_per_unit": programme.points_per_unit,
        "tz": tenant.timezone,
    }


def _credit_available(
    *,
    tenant: Tenant,
    programme: Programme,
    member_ids: list[int],
    points: int,
    source: str,
    key_prefix: str,
    reason: str,
) -> int:
    """Credit `points` at once to each member (welcome bonus, cashback); once per key."""
    if not member_ids or points <= 0:
        return 0
    rows = _rows(
        sql.CREDIT_AVAILABLE,
        {
            "tenant": tenant.pk,
            "members": member_ids,
            "points": points,
            "source": source,
            "key_prefix": key_prefix,
            "reason": reason,
            "expiry_months": programme.expiry_months,
        },
    )
    return len(rows)


def points_credit(
    *,
    tenant: Tenant,
    credits: Sequence[tuple[int, str]],
    points: int,
    source: str,
    reason: str,
) -> int:
    """Credit `points` available at once for each (member id, idempotency key) pair, in one
    statement whatever their number (a campaign batch's bonus points): a key already in the
    ledger credits nothing again, a member with several keys gets each. Nothing without an
    active programme. Returns the points credited now."""
    if not credits or points <= 0:
        return 0
    programme = programme_active(tenant=tenant)
    if programme is None:
        return 0
    rows = _rows(
        sql.CREDIT_KEYED,
        {
            "tenant": tenant.pk,
            "members": [member_id for member_id, _key in credits],
            "keys": [key for _member_id, key in credits],
            "points": points,
            "source": source,
            "reason": reason[:255],
            "expiry_months": programme.expiry_months,
        },
    )
    return sum(int(credited) for _member_id, credited in rows)


@transaction.atomic
def points_earn(
    *,
    tenant: Tenant,
    transaction_ids: list[int] | tuple[int, ...] = (),
    import_job_id: int | None = None,
    occurred_since: datetime | None = None,
) -> EarnResult:
    """Enrol the buyers and earn pending points for the given transactions (a sale's ids or
    an import job's rows, or, as the nightly safety net, every purchase since a time), in
    a few statements whatever their number. A transaction earns at most once, ever: its key
    is unique, so a re-import, a resumed import or a task delivered twice earns nothing
    more (see _earn_and_enrol)."""
    programme = programme_active(tenant=tenant)
    if programme is None:
        return EarnResult()
    params = _programme_params(tenant=tenant, programme=programme)
    if occurred_since is not None:
        which = sql.TRANSACTION_FILTERS["recent"]
        params["recent_since"] = occurred_since
    elif import_job_id is not None:
        which = sql.TRANSACTION_FILTERS["import_job"]
        params["job"] = import_job_id
    else:
        which = sql.TRANSACTION_FILTERS["ids"]
        params["ids"] = list(transaction_ids)
        if not params["ids"]:
            return EarnResult()
    with planner_settings(WITHOUT_JIT):
        return _earn(tenant=tenant, programme=programme, which=which, params=params)


def _earn(
    *, tenant: Tenant, programme: Programme, which: str, params: dict[str, Any]
) -> EarnResult:
    fast = _earn_and_enrol(tenant=tenant, programme=programme, which=which, params=params)
    if fast is not None:
        return fast
    enrolled = [member_id for (member_id,) in _rows(sql.ENROL_BUYERS.format(filter=which), params)]
    if programme.welcome_bonus:
        _credit_available(
            tenant=tenant,
            programme=programme,
            member_ids=enrolled,
            points=programme.welcome_bonus,
            source=EntrySource.WELCOME,
            key_prefix="welcome:",
            reason=_("Welcome bonus"),
        )
    [(entries, points)] = _rows(sql.EARN.format(filter=which), params)
    return EarnResult(enrolled=len(enrolled), entries=int(entries), points=int(points))


# The constraint a purchase's second earning breaks on the fast path (its key, unique per
# tenant).
KEY_CONSTRAINT = "loyalty_entry_key_unique_per_tenant"


class _EnrolledMeanwhile(Exception):
    """Another transaction enrolled some of the buyers while the fast path ran."""


def _earn_and_enrol(
    *, tenant: Tenant, programme: Programme, which: str, params: dict[str, Any]
) -> EarnResult | None:
    """The fast path (sql.EARN_AND_ENROL): enrol and earn in one statement, the ledger written
    without ON CONFLICT, inside a savepoint. None, with nothing written, when some of the
    purchases earned already (their key exists: a re-import, a resumed import, a second
    delivery, a concurrent earning) or some buyers were enrolled meanwhile by another
    transaction: the caller then takes the safe path, statement by statement with ON CONFLICT.
    A sample of the purchases sends a re-earning there at once."""
    if _rows(sql.EARNED_SAMPLE.format(filter=which), params)[0][0]:
        return None
    fast_params = {
        **params,
        "welcome": programme.welcome_bonus,
        "welcome_reason": _("Welcome bonus"),
    }
    bulk = which != sql.TRANSACTION_FILTERS["ids"]
    try:
        with (
            transaction.atomic(),  # a savepoint: a failure here leaves the caller's work intact
            planner_settings(BULK_JOINS if bulk else {}),
        ):
            [(enrolled, _welcomed, _moved, entries, points, missed)] = _rows(
                sql.EARN_AND_ENROL.format(filter=which), fast_params
            )
            if missed:
                raise _EnrolledMeanwhile
    except _EnrolledMeanwhile:
        return None
    except IntegrityError as exc:
        if _constraint_of(exc) != KEY_CONSTRAINT:
            raise
        return None
    return EarnResult(enrolled=int(enrolled), entries=int(entries), points=int(points))


def _constraint_of(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@transaction.atomic
def points_release(*, tenant: Tenant, now: datetime | None = None) -> int:
    """Make pending points whose return window has ended available. Returns the points."""
    now = now or timezone.now()
    programme = Programme.objects.select_for_update().filter(tenant=tenant).first()
    if programme is None:
        return 0
    since = programme.released_through - RUN_OVERLAP if programme.released_through else None
    [(_entries, points)] = _rows(sql.RELEASE, {"tenant": tenant.pk, "now": now, "since": since})
    Programme.objects.filter(pk=programme.pk).update(released_through=now)
    return int(points)


@transaction.atomic
def points_expire(*, tenant: Tenant, now: datetime | None = None) -> int:
    """Expire points older than the programme's expiry, oldest first. Returns the points."""
    now = now or timezone.now()
    programme = Programme.objects.select_for_update().filter(tenant=tenant).first()
    if programme is None:
        return 0
    since = programme.expired_through - RUN_OVERLAP if programme.expired_through else None
    params = {"tenant": tenant.pk, "now": now, "since": since}
    members = [member_id for (member_id,) in _rows(sql.EXPIRY_CANDIDATES, params)]
    points = 0
    if members:
        [(_entries, points)] = _rows(
            sql.EXPIRE,
            {
                **params,
                "members": members,
                "day": now.date().isoformat(),
                "reason": _("Points expired"),
            },
        )
    Programme.objects.filter(pk=programme.pk).update(expired_through=now)
    return int(points)


def expiring_points(*, tenant: Tenant, member: Member, by: datetime) -> int:
    """Points of the member that will have expired by `by` unless spent first."""
    [(points,)] = _rows(sql.EXPIRING_BY, {"tenant": tenant.pk, "member": member.pk, "by": by})
    return int(points)


def _lock_member(*, tenant: Tenant, member_id: int) -> Member:
    return Member.objects.select_for_update().get(tenant=tenant, pk=member_id)


@transaction.atomic
def points_reverse_transaction(
    *, tenant: Tenant, transaction_id: int, actor: Any = None
) -> PointsEntry | None:
    """Take back what a refunded or cancelled purchase earned, never more: from the pending
    points inside the return window, from the available ones after it (as much as is left
    when the customer spent them meanwhile). None when it earned nothing. Idempotent."""
    earn = (
        PointsEntry.objects.filter(tenant=tenant, idempotency_key=f"earn:txn:{transaction_id}")
        .only("id", "member_id", "pending_delta", "expires_at")
        .first()
    )
    if earn is None:
        return None
    member = _lock_member(tenant=tenant, member_id=earn.member_id)
    key = f"reverse:txn:{transaction_id}"
    existing = PointsEntry.objects.filter(tenant=tenant, idempotency_key=key).first()
    if existing is not None:
        return existing
    earned = earn.pending_delta
    released = PointsEntry.objects.filter(tenant=tenant, settles=earn).exists()
    entry = PointsEntry(
        tenant=tenant,
        member=member,
        kind=EntryKind.REVERSE,
        source=EntrySource.TRANSACTION,
        idempotency_key=key,
        transaction_id=transaction_id,
        expires_at=earn.expires_at,
        created_by=user_or_none(actor),
        reason=_("Purchase refunded or cancelled"),
    )
    if not released:
        entry.settles = earn
        entry.pending_delta = -earned
        balance_change = {"pending": F("pending") - earned}
    else:
        taken = min(earned, member.available)
        if taken == 0:
            audit_log(
                tenant=tenant,
                actor=actor,
                action="loyalty.points.reversal_unrecovered",
                target=member,
                data={"transaction": transaction_id, "points": earned},
            )
            return None
        entry.available_delta = -taken
        if taken < earned:
            entry.reason = _("Purchase refunded; %(spent)d of its points were already spent") % {
                "spent": earned - taken
            }
        balance_change = {"available": F("available") - taken}
    entry.save()
    Member.objects.filter(pk=member.pk).update(**balance_change)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="loyalty.points.reversed",
        target=member,
        data={"transaction": transaction_id, "points": entry.points},
    )
    return entry


def points_reverse_refunded(*, tenant: Tenant) -> int:
    """Reverse the points of every refunded purchase not reversed yet (each in its own
    transaction). Returns how many were reversed."""
    reversed_count = 0
    for (transaction_id,) in _rows(sql.REFUNDED_UNREVERSED, {"tenant": tenant.pk}):
        if points_reverse_transaction(tenant=tenant, transaction_id=transaction_id) is not None:
            reversed_count += 1
    return reversed_count


def member_for(*, tenant: Tenant, customer: Customer) -> Member | None:
    return Member.objects.filter(tenant=tenant, customer=customer).first()


@transaction.atomic
def member_enrol(*, tenant: Tenant, actor: Any, customer: Customer) -> Member:
    """Enrol a customer by hand (or bring back one who left); the welcome bonus once ever."""
    if customer.tenant_id != tenant.pk:
        raise LoyaltyError(_("The customer does not belong to this company."))
    programme = programme_active(tenant=tenant)
    if programme is None:
        raise LoyaltyError(_("The company has no active loyalty programme."))
    member, created = Member.objects.get_or_create(tenant=tenant, customer=customer)
    if not created and member.left_at is None:
        raise LoyaltyError(_("This customer is already a member."))
    if not created:
        Member.objects.filter(pk=member.pk).update(left_at=None)
    elif programme.welcome_bonus:
        _credit_available(
            tenant=tenant,
            programme=programme,
            member_ids=[member.pk],
            points=programme.welcome_bonus,
            source=EntrySource.WELCOME,
            key_prefix="welcome:",
            reason=_("Welcome bonus"),
        )
    audit_log(tenant=tenant, actor=actor, action="loyalty.member.enrolled", target=member)
    member.refresh_from_db()
    return member


@transaction.atomic
def member_leave(*, tenant: Tenant, actor: Any, member: Member) -> Member:
    """Leave the programme: no more earning; the ledger and the balance stay."""
    updated = Member.objects.filter(tenant=tenant, pk=member.pk, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    if not updated:
        raise LoyaltyError(_("This customer has already left the programme."))
    audit_log(tenant=tenant, actor=actor, action="loyalty.member.left", target=member)
    member.refresh_from_db()
    return member


@transaction.atomic
def points_adjust(
    *,
    tenant: Tenant,
    actor: Any,
    member: Member,
    points: int,
    reason: str,
    request_key: str | None = None,
) -> PointsEntry:
    """Add or take away points by hand, with a reason; audited. `request_key` (the form's
    one-time token) makes a double submit record it once."""
    reason = (reason or "").strip()
    if not reason:
        raise LoyaltyError(_("Give a reason for the adjustment."))
    if points == 0:
        raise LoyaltyError(_("An adjustment must add or take away points."))
    programme = programme_active(tenant=tenant)
    if programme is None:
        raise LoyaltyError(_("The company has no active loyalty programme."))
    member = _lock_member(tenant=tenant, member_id=member.pk)
    key = f"adjust:{request_key or uuid.uuid4().hex}"
    if PointsEntry.objects.filter(tenant=tenant, idempotency_key=key).exists():
        raise LoyaltyError(_("This adjustment was already recorded."))
    if points < 0 and member.available < -points:
        raise LoyaltyError(
            _("Only %(available)d points are available to take away.")
            % {"available": member.available}
        )
    expires_at = None
    if points > 0 and programme.expiry_months:
        expires_at = timezone.now() + _months(programme.expiry_months)
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                tenant=tenant,
                member=member,
                kind=EntryKind.ADJUST,
                source=EntrySource.USER,
                available_delta=points,
                reason=reason[:255],
                idempotency_key=key,
                expires_at=expires_at,
                created_by=user_or_none(actor),
            )
    except IntegrityError as exc:
        raise LoyaltyError(_("This adjustment was already recorded.")) from exc
    Member.objects.filter(pk=member.pk).update(available=F("available") + points)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="loyalty.points.adjusted",
        target=member,
        data={"points": points, "reason": reason, "entry": entry.pk},
    )
    return entry


def _months(months: int) -> timedelta:
    # Adjustments: a month is 30 days here (purchases use PostgreSQL's calendar months).
    return timedelta(days=30 * months)
