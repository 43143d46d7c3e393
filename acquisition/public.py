"""The public pages, outside the members' area (no sign-in): the company's lead form and the
customer's preference page. Each URL names the company and carries a signature made with the
project's secret, so a company's form cannot be guessed and a customer's page cannot be
opened for another customer or company. No tenant scope is active here; each view enters the
company's scope itself once the signature holds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit
from django_scopes import scope

from acquisition import selectors, services
from acquisition.forms import LeadCaptureForm, PreferencesForm
from acquisition.preference_sections import preference_sections_for
from crm.models import Tenant

# Submissions of the lead form per address: enough for a family behind one router, too few
# for a script.
LEAD_FORM_RATE = "5/10m"


def _form_signer() -> signing.Signer:
    return signing.Signer(salt="acquisition.lead-form")


def lead_form_key(tenant: Tenant) -> str:
    return _form_signer().signature(tenant.slug)


def lead_form_url(tenant: Tenant, *, campaign: Any = None) -> str:
    """The company's public lead form; with a campaign (one of the company's acquisition
    campaigns), the leads it brings are linked to that campaign (`?campaign=<id>`)."""
    url = reverse("lead_form", kwargs={"company": tenant.slug, "key": lead_form_key(tenant)})
    return f"{url}?campaign={campaign.pk}" if campaign is not None else url


def _speaking(request: HttpRequest, tenant: Tenant):
    """The visitor's chosen language (the switcher's cookie), else the company's, as the
    members' pages do."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return translation.override(translation.get_language())
    return translation.override(tenant.default_language)


def _company(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
    if tenant is None:
        raise Http404
    return tenant


def _form_company(company: str, key: str) -> Tenant:
    tenant = _company(company)
    if not constant_time_compare(key, lead_form_key(tenant)):
        raise Http404
    return tenant


@ratelimit(key="ip", rate=LEAD_FORM_RATE, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def lead_form(request: HttpRequest, company: str, key: str) -> HttpResponse:
    tenant = _form_company(company, key)
    with _speaking(request, tenant):
        return _lead_form(request, tenant, company, key)


def _lead_form(request: HttpRequest, tenant: Tenant, company: str, key: str) -> HttpResponse:
    if request.method == "POST" and getattr(request, "limited", False):
        form = LeadCaptureForm(request.POST)
        form.add_error(None, _("Too many requests from your address; please try again later."))
        return render(
            request, "acquisition/public/lead_form.html", {"form": form, "company": tenant},
            status=429,
        )  # fmt: skip
    form = LeadCaptureForm(request.POST or None)
    if request.method == "POST" and form.is_spam:
        # Said nothing to the bot: it gets the thank-you page, nothing is stored.
        return redirect("lead_form_thanks", company=company, key=key)
    if request.method == "POST" and form.is_valid():
        # ?campaign=<id> links the lead to that acquisition campaign of the company; any other
        # value (a name, an old link's text) is kept as the lead's source detail.
        named = request.GET.get("campaign", "")
        with scope(tenant=tenant):
            campaign = selectors.acquisition_campaign_of_link(tenant=tenant, value=named)
            services.lead_capture(
                tenant=tenant,
                customer_fields=form.customer_fields(),
                consents=form.consents(),
                message=form.cleaned_data["message"],
                campaign=campaign,
                source_detail="" if campaign else " ".join(named.split())[:100],
            )
        return redirect("lead_form_thanks", company=company, key=key)
    return render(request, "acquisition/public/lead_form.html", {"form": form, "company": tenant})


@require_http_methods(["GET"])
def lead_form_thanks(request: HttpRequest, company: str, key: str) -> HttpResponse:
    tenant = _form_company(company, key)
    with _speaking(request, tenant):
        return render(request, "acquisition/public/lead_form_thanks.html", {"company": tenant})


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, company: str, token: str) -> HttpResponse:
    """The customer's page: their consent per channel and their language, no account."""
    tenant = _company(company)
    with scope(tenant=tenant):
        try:
            customer = services.preference_link_customer(tenant=tenant, token=token)
        except services.PreferenceLinkExpired:
            with _speaking(request, tenant):
                return _link_problem(request, tenant, expired=True)
        except services.PreferenceLinkError:
            with _speaking(request, tenant):
                return _link_problem(request, tenant, expired=False)
        form = PreferencesForm(request.POST or None, customer=customer)
        saved = False
        if request.method == "POST" and form.is_valid():
            services.preferences_update(
                tenant=tenant,
                customer=customer,
                consents=form.consents(),
                language=form.cleaned_data["preferred_language"],
            )
            customer.refresh_from_db()
            form = PreferencesForm(customer=customer)
            saved = True
        context = {
            "form": form,
            "company": tenant,
            "customer": customer,
            "saved": saved,
            "sections": preference_sections_for(tenant=tenant, customer=customer),
        }
        with translation.override(customer.preferred_language):
            return render(request, "acquisition/public/preferences.html", context)


def _link_problem(request: HttpRequest, tenant: Tenant, *, expired: bool) -> HttpResponse:
    return render(
        request,
        "acquisition/public/link_problem.html",
        {"company": tenant, "expired": expired},
        status=410 if expired else 400,
    )
