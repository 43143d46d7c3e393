"""Demo data for `make run`: a few hundred Turkish customers with three years of history.

Faker's tr_TR locale gives the names and company owners' surnames; provinces, streets, mobile
numbers, tax numbers and the catalogue come from customers.scale_data's vocabulary. Everything
is built in memory and written with bulk_create (a handful of INSERTs), so it takes seconds.
The spend is skewed like a real customer base: log-normal order counts and order sizes, so the
top fifth of customers bring most of the revenue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.tr import vkn

from crm.models import Membership, Role, Tenant
from customers.models import (
    CONSENT_FIELD_BY_CHANNEL,
    AcquisitionChannel,
    ConsentRecord,
    ConsentSource,
    ContactChannel,
    Customer,
    CustomerKind,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Interaction,
    InteractionDirection,
    InteractionOutcome,
    LifecycleStage,
    SalesChannel,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from customers.regions import region_for_city
from customers.scale_data import (
    COMMON_FIRST_NAMES,
    COMMON_LAST_NAMES,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    EMAIL_DOMAINS,
    FEEDBACK_TEXTS,
    INDUSTRIES,
    INTERACTION_SUBJECTS,
    MOBILE_PREFIXES,
    STREETS,
    TAGS,
    TERMINATION_REASONS,
    catalogue_ensure,
    weighted_provinces,
)
from customers.turkish import fold

DEMO_SIZES = {"small": 300, "medium": 3000}
HISTORY_DAYS = 3 * 365
COMPANY_SHARE = 0.2
PROSPECT_SHARE = 0.1
REFERRAL_SHARE = 0.12


@dataclass
class _Plan:
    """What we decided about one customer before writing it."""

    customer: Customer
    acquired_at: datetime
    purchases: int
    order_size: float  # median order in TL
    last_purchase_days_ago: int | None
    referrer_index: int | None


def _name(rng: random.Random, faker_name: str, common: tuple[str, ...]) -> str:
    """Mostly a common name (Faker's tr_TR lists are alphabetical, rare names as likely as
    Mehmet), sometimes Faker's, so the list has both the familiar and the long tail."""
    if rng.random() < 0.3 and fold(faker_name).isascii() and fold(faker_name).isalpha():
        return faker_name
    return rng.choice(common)


def _mobile(rng: random.Random) -> str:
    return f"+90{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"


def _vkn(rng: random.Random) -> str:
    base = f"{rng.randrange(1_000_000_000):09d}"
    return base + vkn.calc_check_digit(base)


def _at(day: date, rng: random.Random, zone) -> datetime:
    """A time in office hours on `day`, in the tenant's zone."""
    moment = time(hour=rng.randint(9, 18), minute=rng.randrange(60))
    # Never later than now: today's office hours may not have come yet.
    return min(timezone.make_aware(datetime.combine(day, moment), zone), timezone.now())


def _stage(
    rng: random.Random, *, purchases: int, acquired_days_ago: int, last_days_ago: int | None
) -> str:
    if not purchases or last_days_ago is None:
        return LifecycleStage.PROSPECT
    if rng.random() < 0.02:
        return LifecycleStage.TERMINATED
    if acquired_days_ago <= 90:
        return LifecycleStage.NEW
    if last_days_ago <= 180:
        return LifecycleStage.WON_BACK if rng.random() < 0.06 else LifecycleStage.ACTIVE
    if last_days_ago <= 365:
        return LifecycleStage.AT_RISK
    return LifecycleStage.LAPSED


def _owners(tenant: Tenant) -> list:
    members = list(
        Membership.objects.filter(tenant=tenant).select_related("user").order_by("user_id")
    )
    sellers = [m.user for m in members if m.role in (Role.SALES, Role.MANAGER)]
    return sellers or [m.user for m in members]


def _plan_customers(
    *, tenant: Tenant, count: int, rng: random.Random, faker: Faker, owners: list, offset: int
) -> list[_Plan]:
    provinces = weighted_provinces()
    today = timezone.localdate()
    zone = tenant.zone
    # Acquisition days, oldest first, so a referrer (earlier in the list) came earlier.
    acquired_days = sorted((rng.randrange(HISTORY_DAYS) for _ in range(count)), reverse=True)
    plans = []
    for index, days_ago in enumerate(acquired_days):
        is_company = rng.random() < COMPANY_SHARE
        is_prospect = rng.random() < PROSPECT_SHARE
        city = rng.choice(provinces)
        surname = _name(rng, faker.last_name(), COMMON_LAST_NAMES)
        if is_company:
            industry, word = rng.choice(INDUSTRIES)
            lead = surname if rng.random() < 0.6 else rng.choice(COMPANY_WORDS)
            fields = {
                "kind": CustomerKind.COMPANY,
                "company_name": f"{lead} {word} {rng.choice(COMPANY_SUFFIXES)}",
                "industry": industry,
                "email": f"info@{fold(lead)}{fold(word)}.com.tr",
                "tax_number": _vkn(rng) if rng.random() < 0.7 else "",
            }
        else:
            first = _name(rng, faker.first_name(), COMMON_FIRST_NAMES)
            fields = {
                "kind": CustomerKind.PERSON,
                "first_name": first,
                "last_name": surname,
                "email": (
                    f"{fold(first)}.{fold(surname)}{rng.randrange(100)}@{rng.choice(EMAIL_DOMAINS)}"
                    if rng.random() < 0.85
                    else ""
                ),
                "tax_number": faker.ssn() if rng.random() < 0.3 else "",
                "birthday": (
                    date(1955, 1, 1) + timedelta(days=rng.randrange(17_000))
                    if rng.random() < 0.6
                    else None
                ),
            }
        referrer = rng.randrange(index) if index > 0 and rng.random() < REFERRAL_SHARE else None
        acquired_at = _at(today - timedelta(days=days_ago), rng, zone)
        consent = rng.random()
        customer = Customer(
            tenant=tenant,
            phone=_mobile(rng) if rng.random() < 0.9 else "",
            address=f"{rng.choice(STREETS)} No: {rng.randint(1, 160)}",
            city=city,
            region=region_for_city(city),
            acquisition_channel=(
                AcquisitionChannel.REFERRAL
                if referrer is not None
                else rng.choice([c for c in AcquisitionChannel.values if c != "referral"])
            ),
            acquired_on=acquired_at.date(),
            owner=rng.choice(owners) if owners and rng.random() < 0.9 else None,
            tags=rng.sample(TAGS, k=rng.choice([0, 0, 0, 1, 1, 2])),
            preferred_channel=rng.choice([*ContactChannel.values, ""]),
            preferred_language="en" if rng.random() < 0.04 else "tr",
            consent_email=consent < 0.6,
            consent_sms=consent < 0.45,
            consent_phone=consent < 0.2,
            external_id=f"DEMO-{offset + index + 1:05d}",
            created_at=acquired_at,
            **fields,
        )
        purchases = 0
        last_days_ago = None
        if not is_prospect:
            purchases = max(1, round(rng.lognormvariate(1.8, 0.9) * (days_ago + 60) / 600))
            # Most customers bought recently; some stopped a year or more ago. The last
            # purchase is at most half the customer's time with us ago, so that a recent
            # customer's purchases fall on different days: the predictions need repeat buyers.
            gap = rng.choice([0, 0, 0, 0, 1, 2])
            last_days_ago = min(
                days_ago // 2, rng.randrange([150, 330, 700][gap]) + [0, 180, 366][gap]
            )
        median_order = 4500 if is_company else 450
        plans.append(
            _Plan(
                customer=customer,
                acquired_at=acquired_at,
                purchases=purchases,
                order_size=median_order * rng.lognormvariate(0, 0.7),
                last_purchase_days_ago=last_days_ago,
                referrer_index=referrer,
            )
        )
    for plan in plans:
        days_ago = (today - plan.customer.acquired_on).days
        stage = _stage(
            rng,
            purchases=plan.purchases,
            acquired_days_ago=days_ago,
            last_days_ago=plan.last_purchase_days_ago,
        )
        plan.customer.lifecycle_stage = stage
        if stage == LifecycleStage.TERMINATED:
            plan.customer.termination_reason = rng.choice(TERMINATION_REASONS)
    return plans


def _purchases(
    *, tenant: Tenant, plans: list[_Plan], products: list, rng: random.Random, offset: int
) -> list[Transaction]:
    today = timezone.localdate()
    rows = []
    for plan in plans:
        customer = plan.customer
        first_days_ago = (today - customer.acquired_on).days
        for _ in range(plan.purchases):
            day = today - timedelta(days=rng.randint(plan.last_purchase_days_ago, first_days_ago))
            product = rng.choice(products)
            amount = Decimal(f"{plan.order_size * rng.lognormvariate(0, 0.5):.2f}")
            is_company = customer.kind == CustomerKind.COMPANY
            due = day + timedelta(days=30) if is_company else None
            paid: date | None = day
            if due is not None:
                draw = rng.random()
                if draw < 0.8:
                    paid = day + timedelta(days=rng.randrange(30))
                elif draw < 0.95:
                    paid = due + timedelta(days=rng.randint(1, 60))  # paid late
                else:
                    paid = None
                if paid is not None and paid > today:
                    paid = None
            cost_share = rng.random() < 0.01
            rows.append(
                Transaction(
                    tenant=tenant,
                    customer=customer,
                    kind=TransactionKind.COST_SHARE if cost_share else TransactionKind.PURCHASE,
                    occurred_at=_at(day, rng, tenant.zone),
                    amount=amount,
                    cost=None
                    if cost_share
                    else (amount * Decimal(f"{rng.uniform(0.4, 0.9):.3f}")).quantize(
                        Decimal("0.01")
                    ),
                    currency=tenant.currency,
                    category_id=product.category_id,
                    product=product,
                    channel=rng.choice(
                        [SalesChannel.FIELD, SalesChannel.PARTNER, SalesChannel.PHONE]
                        if is_company
                        else [SalesChannel.STORE, SalesChannel.WEB, SalesChannel.MARKETPLACE]
                    ),
                    quantity=Decimal(rng.choice([1, 1, 1, 2, 3, 5])),
                    status=(
                        TransactionStatus.REFUNDED
                        if rng.random() < 0.02
                        else TransactionStatus.COMPLETED
                    ),
                    due_date=due,
                    paid_date=paid,
                    external_id=f"DEMO-T{offset + len(rows) + 1:06d}",
                    recorded_by=customer.owner,
                )
            )
    return rows


def _contacts_and_feedback(
    *, tenant: Tenant, plans: list[_Plan], owners: list, rng: random.Random
) -> tuple[list[Interaction], list[Feedback]]:
    now = timezone.now()
    interactions, feedback = [], []
    for plan in plans:
        customer = plan.customer
        span = max(1, (now - plan.acquired_at).days)
        for _ in range(rng.choice([0, 1, 2, 3, 4, 6])):
            when = min(
                now, plan.acquired_at + timedelta(days=rng.randrange(span), hours=rng.random())
            )
            interactions.append(
                Interaction(
                    tenant=tenant,
                    customer=customer,
                    channel=rng.choice(ContactChannel.values),
                    direction=rng.choice(InteractionDirection.values),
                    occurred_at=when,
                    subject=rng.choice(INTERACTION_SUBJECTS),
                    outcome=rng.choice(InteractionOutcome.values),
                    user=customer.owner or (rng.choice(owners) if owners else None),
                )
            )
        if not plan.purchases or rng.random() > 0.4:
            continue
        kind = rng.choice(
            [FeedbackKind.COMPLAINT, FeedbackKind.SUGGESTION, FeedbackKind.PRAISE]
            + [FeedbackKind.SURVEY] * 3
        )
        opened = min(now, plan.acquired_at + timedelta(days=rng.randrange(span)))
        recent = (now - opened).days < 30
        status = (
            rng.choice([FeedbackStatus.OPEN, FeedbackStatus.IN_PROGRESS])
            if recent and kind == FeedbackKind.COMPLAINT
            else FeedbackStatus.RESOLVED
        )
        resolved = (
            min(now, opened + timedelta(days=rng.uniform(0.1, 20)))
            if status == FeedbackStatus.RESOLVED
            else None
        )
        survey = kind == FeedbackKind.SURVEY
        feedback.append(
            Feedback(
                tenant=tenant,
                customer=customer,
                kind=kind,
                # NPS leans positive: most customers who answer are content.
                nps_score=min(10, int(11 * rng.random() ** 0.5)) if survey else None,
                satisfaction_score=min(5, 1 + int(5 * rng.random() ** 0.5)) if survey else None,
                text=rng.choice(FEEDBACK_TEXTS[kind]),
                status=status,
                assignee=customer.owner if kind == FeedbackKind.COMPLAINT else None,
                opened_at=opened,
                resolved_at=resolved,
                resolution=(
                    "Müşteri arandı, sorun çözüldü."
                    if resolved and kind == FeedbackKind.COMPLAINT
                    else ""
                ),
                created_by=customer.owner,
            )
        )
    return interactions, feedback


def _consent_records(*, tenant: Tenant, plans: list[_Plan], rng: random.Random):
    records = []
    for plan in plans:
        customer = plan.customer
        for channel, flag in CONSENT_FIELD_BY_CHANNEL.items():
            given = getattr(customer, flag)
            withdrawn = not given and rng.random() < 0.1
            if not given and not withdrawn:
                continue
            records.append(
                ConsentRecord(
                    tenant=tenant,
                    customer=customer,
                    channel=channel,
                    granted=True,
                    recorded_at=plan.acquired_at,
                    source=rng.choice(ConsentSource.values),
                    recorded_by=customer.owner,
                )
            )
            if withdrawn:  # a later withdrawal: the current flag is off
                records.append(
                    ConsentRecord(
                        tenant=tenant,
                        customer=customer,
                        channel=channel,
                        granted=False,
                        recorded_at=plan.acquired_at
                        + timedelta(days=rng.randint(1, 200), hours=rng.random()),
                        source=rng.choice([ConsentSource.IYS, ConsentSource.EMAIL_REPLY]),
                        note="Ret bildirimi.",
                        recorded_by=customer.owner,
                    )
                )
    return records


@transaction.atomic
def load_demo_data(*, tenant: Tenant, size: str = "small", seed: int = 2026) -> str:
    """Fill `tenant` (inside its scope) with demo customers and their history; one line back."""
    count = DEMO_SIZES[size]
    rng = random.Random(seed)
    faker = Faker("tr_TR")
    faker.seed_instance(seed)
    products = catalogue_ensure(tenant=tenant)
    owners = _owners(tenant)
    # Earlier demo loads stay; new external ids continue after them.
    offset = Customer.objects.filter(tenant=tenant, external_id__startswith="DEMO-").count()
    transaction_offset = Transaction.objects.filter(
        tenant=tenant, external_id__startswith="DEMO-T"
    ).count()

    plans = _plan_customers(
        tenant=tenant, count=count, rng=rng, faker=faker, owners=owners, offset=offset
    )
    Customer.objects.bulk_create([plan.customer for plan in plans])
    referred = []
    for plan in plans:
        if plan.referrer_index is not None:
            plan.customer.referred_by = plans[plan.referrer_index].customer
            referred.append(plan.customer)
    Customer.objects.bulk_update(referred, ["referred_by"])

    purchases = _purchases(
        tenant=tenant, plans=plans, products=products, rng=rng, offset=transaction_offset
    )
    Transaction.objects.bulk_create(purchases, batch_size=2000)
    interactions, feedback = _contacts_and_feedback(
        tenant=tenant, plans=plans, owners=owners, rng=rng
    )
    Interaction.objects.bulk_create(interactions, batch_size=2000)
    Feedback.objects.bulk_create(feedback, batch_size=2000)
    consents = _consent_records(tenant=tenant, plans=plans, rng=rng)
    ConsentRecord.objects.bulk_create(consents, batch_size=2000)
    return (
        f"customers: {len(plans)} customers ({len(referred)} referred), "
        f"{len(purchases)} purchases, {len(interactions)} contacts, {len(feedback)} feedback, "
        f"{len(consents)} consent records, {len(products)} products"
    )
