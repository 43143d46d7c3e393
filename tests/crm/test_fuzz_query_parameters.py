"""Odd input never makes a 500: NUL bytes, huge integers, overlong strings and tsquery syntax
sent to every query parameter of every URL pattern (the admin's changelists included). A page's
parameters are the ones the project reads (PARAMETERS) plus every name its own forms and links
use; each payload goes to all of them at once, then to each on its own.

The payloads that crm.odd_input refuses before any view runs are sent as the admin only (who
opens every page) and must get its 400; the ones that reach the views go as each role, since
what a view reads can depend on the role."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from crm.models import Role
from crm.services import member_invite
from tests.factories import (
    CustomerFactory,
    FeedbackFactory,
    MembershipFactory,
    TransactionFactory,
)

TSQUERY = "yılmaz & !(kaya | şahin) <-> ali:*"
# Refused by crm.odd_input on every page, whatever the view.
REFUSED_EARLY = [
    "\x00",
    "ali\x00veli",
    "9" * 5000,  # past Python's int() digit limit
    "-" + "9" * 30,  # past bigint
    "99999999999999999999",
    "x" * 20_000,
]
# Plausible enough to reach the views.
REACHING_VIEWS = [
    TSQUERY,
    "'\\\"); --",
    "9" * 18,  # the longest number odd_input lets through: past a 32-bit integer column
]
# Names the views read from request.GET, whether or not a page links them.
PARAMETERS = [
    "q", "page", "sort", "order", "format", "exclude", "email", "phone", "tax_number",
    "before", "since", "from", "to", "run", "dimension", "date_from", "date_to", "start", "end",
    "kind", "mine", "next", "archived", "owner", "tag", "lifecycle_stage", "region",
    "o", "p", "e", "_changelist_filters", "all",
]  # fmt: skip
_NAME = re.compile(r"""\bname="([^"]+)\"""")
_LINK = re.compile(r"""href="([^"]*\?[^"]*)\"""")


def _patterns(resolvers, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _concrete(route: str, values: dict[str, str]) -> str | None:
    """The route with its parameters filled in; None for regex routes (the admin's, which
    are visited through their changelists) and for parameters we have no value for."""
    if route.startswith("^") or "(?P" in route:
        return None
    missing = []

    def fill(match: re.Match) -> str:
        name = match.group(2)
        if name not in values:
            missing.append(name)
            return ""
        return values[name]

    path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return None if missing else "/" + path


def _names_on_page(html: str) -> set[str]:
    names = set(_NAME.findall(html))
    for link in _LINK.findall(html):
        names.update(name for name, _ in parse_qsl(urlsplit(link.replace("&amp;", "&")).query))
    return {name for name in names if name not in {"csrfmiddlewaretoken", "password"}}


@pytest.fixture
def world(tenant, admin_user, manager_user, sales_user):
    customer = CustomerFactory(tenant=tenant, external_id="C1", tags=["vip"])
    transaction = TransactionFactory(tenant=tenant, customer=customer)
    feedback = FeedbackFactory(tenant=tenant, customer=customer)
    membership = MembershipFactory(tenant=tenant, role=Role.SALES)
    invitation = member_invite(
        tenant=tenant, actor=admin_user, email="yeni@example.com", role="sales", domain="x"
    )
    ids = {
        "customer_id": customer.pk,
        "transaction_id": transaction.pk,
        "feedback_id": feedback.pk,
        "membership_id": membership.pk,
        "invitation_id": invitation.pk,
    }
    values = {"tenant_slug": tenant.slug, **{name: str(pk) for name, pk in ids.items()}}
    urls = sorted(
        {
            url
            for route, _ in _patterns(get_resolver().url_patterns)
            if (url := _concrete(route, values))
        }
    )
    with scopes_disabled():
        urls += [
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for model in admin.site._registry
        ]
    return urls


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _fuzz(client, url, query, failures, label) -> int:
    response = client.get(url, query)
    try:
        if response.streaming:
            b"".join(response.streaming_content)
    except Exception as error:  # a download that breaks off is a server error too
        failures.append(f"{label} {sorted(query)} -> {error!r:.200}")
    if response.status_code >= 500:
        failures.append(f"{label} {sorted(query)} -> {response.status_code}")
    return response.status_code


@pytest.mark.django_db
def test_no_query_parameter_makes_a_server_error(
    world, tenant, admin_user, manager_user, sales_user
):
    """Every payload to all parameters at once; the admin, who opens every page, also gets the
    payloads refused early (each must be the 400 of crm.odd_input) and sends tsquery syntax to
    each parameter of a page's own forms and links on its own."""
    started = time.monotonic()  # reported with -s; about 3,400 requests
    failures: list[str] = []
    requests = 0
    for role, user in (("admin", admin_user), ("manager", manager_user), ("sales", sales_user)):
        client = _client(user)
        client.get(reverse("configuration_enter", kwargs={"tenant_slug": tenant.slug}))
        for url in world:
            plain = client.get(url)
            requests += 1
            if plain.status_code >= 500:
                failures.append(f"{role} GET {url} -> {plain.status_code}")
                continue
            if plain.status_code != 200:
                continue  # redirects, 403 and 404 answer before any parameter is read
            own = set()
            if not plain.streaming and "html" in plain.get("Content-Type", ""):
                own = _names_on_page(plain.content.decode())
            names = own | set(PARAMETERS)
            label = f"{role} GET {url}"
            for payload in REACHING_VIEWS:
                _fuzz(client, url, dict.fromkeys(names, payload), failures, label)
                requests += 1
            if role != "admin":
                continue
            for payload in REFUSED_EARLY:
                status = _fuzz(client, url, dict.fromkeys(names, payload), failures, label)
                if status != 400:
                    failures.append(f"{label} {payload[:12]!r}… -> {status}, not refused early")
                requests += 1
            for name in sorted(own):
                _fuzz(client, url, {name: TSQUERY}, failures, label)
                requests += 1
    elapsed = time.monotonic() - started
    assert failures == [], "\n".join(failures[:50])
    assert requests > 500
    print(f"{requests} requests in {elapsed:.0f} s")
