"""The public pages: the company's lead form (no login, CSRF, honeypot, rate limit, consent
recorded, the company of the link only) and the customer's preference page (signed, expiring,
this customer of this company only; every change in the consent history)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from acquisition.links import preference_url as public_preference_url
from acquisition.models import Lead, LeadSource
from acquisition.public import lead_form_key, lead_form_url
from acquisition.services import PreferenceLinkError, preference_link_token
from acquisition.services.preferences import PREFERENCE_LINK_MAX_AGE
from crm.models import AuditEntry
from customers.models import ConsentRecord, ConsentSource, Customer, Interaction, LifecycleStage
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "kind": "person",
    "first_name": "Elif",
    "last_name": "Aydın",
    "email": "Elif@Example.com",
    "phone": "0532 123 45 67",
    "message": "Fiyat teklifi rica ederim.",
    "privacy_notice": "on",
    "consent_email": "on",
    "consent_sms": "",
}


@pytest.fixture
def client(client):
    """A visitor who chose English with the language switcher (assertions are in English)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def customers_of(tenant):
    with scopes_disabled():
        return list(Customer.objects.filter(tenant=tenant))


# --- the lead form ---


def test_the_form_opens_without_login_and_shows_the_kvkk_notice(client, tenant):
    response = client.get(lead_form_url(tenant))
    assert response.status_code == 200
    body = response.content.decode()
    assert "KVKK" in body and "6698" in body
    assert tenant.name in body


def test_a_wrong_key_or_unknown_company_is_404(client, tenant, other_tenant):
    assert client.get(f"/p/{tenant.slug}/lead/forged/").status_code == 404
    # Another company's key does not open this company's form.
    url = reverse("lead_form", kwargs={"company": tenant.slug, "key": lead_form_key(other_tenant)})
    assert client.get(url).status_code == 404
    assert client.get("/p/nobody/lead/x/").status_code == 404


def test_a_submission_creates_a_lead_and_records_the_opt_ins(client, tenant):
    response = client.post(lead_form_url(tenant), GOOD)

    assert response.status_code == 302
    with scopes_disabled():
        lead = Lead.objects.select_related("customer").get(tenant=tenant)
        records = list(ConsentRecord.objects.filter(customer=lead.customer))
    assert lead.source == LeadSource.WEB_FORM
    assert lead.notes == "Fiyat teklifi rica ederim."
    assert (lead.customer.email, str(lead.customer.phone)) == ("elif@example.com", "+905321234567")
    assert lead.customer.lifecycle_stage == LifecycleStage.PROSPECT
    assert [(r.channel, r.granted, r.source) for r in records] == [
        ("email", True, ConsentSource.WEB_FORM)
    ]
    assert (lead.customer.consent_email, lead.customer.consent_sms) == (True, False)


def test_the_lead_lands_in_the_company_of_the_link_only(client, tenant, other_tenant):
    client.post(lead_form_url(other_tenant), GOOD)
    assert customers_of(tenant) == []
    assert len(customers_of(other_tenant)) == 1


def test_the_privacy_notice_must_be_confirmed(client, tenant):
    response = client.post(lead_form_url(tenant), {**GOOD, "privacy_notice": ""})
    assert response.status_code == 200
    assert "Please confirm that you have read the privacy notice." in response.content.decode()
    assert customers_of(tenant) == []


def test_an_email_or_a_phone_is_needed(client, tenant):
    response = client.post(lead_form_url(tenant), {**GOOD, "email": "", "phone": ""})
    assert "Give an email address or a phone number." in response.content.decode()
    assert customers_of(tenant) == []


def test_a_filled_honeypot_is_thanked_and_stores_nothing(client, tenant):
    response = client.post(lead_form_url(tenant), {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response.url.endswith("/thanks/")
    assert customers_of(tenant) == []


def test_the_form_refuses_a_post_without_the_csrf_token(tenant):
    client = Client(enforce_csrf_checks=True)
    response = client.post(lead_form_url(tenant), GOOD)
    assert response.status_code == 403
    assert customers_of(tenant) == []


def test_the_form_accepts_a_post_with_the_token_from_its_page(tenant):
    client = Client(enforce_csrf_checks=True)
    page = client.get(lead_form_url(tenant))
    token = page.context["csrf_token"]
    response = client.post(lead_form_url(tenant), {**GOOD, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


def test_the_sixth_submission_from_one_address_in_ten_minutes_is_refused(client, tenant):
    for number in range(5):
        data = {**GOOD, "email": f"kisi{number}@example.com", "phone": ""}
        assert client.post(lead_form_url(tenant), data).status_code == 302
    response = client.post(lead_form_url(tenant), {**GOOD, "email": "yeni@example.com"})
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert len(customers_of(tenant)) == 5


def test_a_known_prospect_gets_the_lead_without_a_second_customer(client, tenant):
    prospect = CustomerFactory(tenant=tenant, email="elif@example.com")
    client.post(lead_form_url(tenant), GOOD)
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant).count() == 1
        assert Lead.objects.get(tenant=tenant).customer == prospect


def test_a_known_customer_gets_an_inbound_contact_instead_of_a_lead(client, tenant):
    buyer = CustomerFactory(
        tenant=tenant, phone="+905321234567", lifecycle_stage=LifecycleStage.ACTIVE
    )
    client.post(lead_form_url(tenant), GOOD)
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant).count() == 1
        assert not Lead.objects.filter(tenant=tenant).exists()
        contact = Interaction.objects.get(customer=buyer)
        assert ConsentRecord.objects.filter(customer=buyer, channel="email").exists()
    assert (contact.direction, contact.notes) == ("inbound", "Fiyat teklifi rica ederim.")


def test_a_campaigns_form_link_links_its_leads_to_the_campaign(client, tenant, campaign):
    client.post(lead_form_url(tenant, campaign=campaign), GOOD)
    with scopes_disabled():
        lead = Lead.objects.get(tenant=tenant)
    assert (lead.campaign, lead.source_detail) == (campaign, "")


def test_another_companys_campaign_in_the_link_links_nothing(client, tenant, other_campaign):
    client.post(lead_form_url(tenant) + f"?campaign={other_campaign.pk}", GOOD)
    with scopes_disabled():
        assert Lead.objects.get(tenant=tenant).campaign is None


def test_a_name_in_the_link_is_kept_as_the_source_detail(client, tenant, campaign):
    client.post(lead_form_url(tenant) + "?campaign=Bahar%202026", GOOD)
    with scopes_disabled():
        lead = Lead.objects.get(tenant=tenant)
    assert (lead.campaign, lead.source_detail) == (None, "Bahar 2026")


# --- the preference page ---


def preference_url(tenant, customer, token=None) -> str:
    with scopes_disabled():
        token = token or preference_link_token(tenant=tenant, customer=customer)
    return reverse("preferences", kwargs={"company": tenant.slug, "token": token})


@pytest.fixture
def person(tenant):
    return CustomerFactory(
        tenant=tenant, first_name="Deniz", last_name="Ak", consent_sms=True, preferred_language="en"
    )


def test_the_customer_sees_their_consent_and_language(client, tenant, person):
    response = client.get(preference_url(tenant, person))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.initial["consent_email"], form.initial["consent_sms"]) == (False, True)
    assert "Deniz Ak" in response.content.decode()


def test_each_change_is_recorded_with_its_source(client, tenant, person):
    response = client.post(
        preference_url(tenant, person),
        {"consent_email": "on", "consent_sms": "", "preferred_language": "tr"},
    )
    assert response.status_code == 200
    with scopes_disabled():
        person.refresh_from_db()
        records = list(ConsentRecord.objects.filter(customer=person).order_by("channel"))
    assert [(r.channel, r.granted, r.source) for r in records] == [
        ("email", True, ConsentSource.WEB_FORM),
        ("sms", False, ConsentSource.WEB_FORM),
    ]
    # The note is in the company's language (Turkish here), whoever reads it later.
    assert {r.note for r in records} == {"Müşteri tercih sayfasında değiştirdi"}
    assert (person.consent_email, person.consent_sms, person.preferred_language) == (
        True,
        False,
        "tr",
    )


def test_saving_unchanged_choices_records_nothing(client, tenant, person):
    client.post(
        preference_url(tenant, person),
        {"consent_email": "", "consent_sms": "on", "preferred_language": "en"},
    )
    with scopes_disabled():
        assert not ConsentRecord.objects.filter(customer=person).exists()


def test_a_tampered_link_says_so_and_shows_nothing(client, tenant, person):
    with scopes_disabled():
        token = preference_link_token(tenant=tenant, customer=person)
    value, timestamp, signature = token.split(":")
    forged = f"{int(value) + 1}:{timestamp}:{signature}"
    response = client.get(preference_url(tenant, person, token=forged))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert "Deniz" not in response.content.decode()


def test_an_expired_link_says_so(client, tenant, person):
    url = preference_url(tenant, person)
    later = signing.time.time() + PREFERENCE_LINK_MAX_AGE.total_seconds() + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(url)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_link_still_works_on_its_last_day(client, tenant, person):
    url = preference_url(tenant, person)
    later = signing.time.time() + (PREFERENCE_LINK_MAX_AGE - timedelta(hours=1)).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(url).status_code == 200


def test_a_link_of_another_company_does_not_open(client, tenant, other_tenant, person):
    with scopes_disabled():
        token = preference_link_token(tenant=tenant, customer=person)
    url = reverse("preferences", kwargs={"company": other_tenant.slug, "token": token})
    response = client.get(url)
    assert response.status_code == 400
    assert "Deniz" not in response.content.decode()
    response = client.post(url, {"consent_email": "on", "preferred_language": "tr"})
    with scopes_disabled():
        assert not ConsentRecord.objects.filter(customer=person).exists()


def test_an_archived_customers_link_no_longer_opens(client, tenant, person):
    url = preference_url(tenant, person)
    with scopes_disabled():
        Customer.objects.filter(pk=person.pk).update(archived_at=timezone.now())
    assert client.get(url).status_code == 400


def test_the_public_preference_url_opens_the_customers_page_on_the_site(
    client, settings, tenant, other_tenant, person
):
    settings.CRM_SITE_URL = "https://crm.example.com/"
    with scopes_disabled():
        url = public_preference_url(tenant=tenant, customer=person)
    prefix = f"https://crm.example.com/p/{tenant.slug}/preferences/"
    assert url.startswith(prefix)
    response = client.get(url.removeprefix("https://crm.example.com"))
    assert response.status_code == 200
    assert response.context["customer"] == person
    with scopes_disabled(), pytest.raises(PreferenceLinkError):
        public_preference_url(tenant=other_tenant, customer=person)


def test_the_page_speaks_the_customers_language(client, tenant, person):
    with scopes_disabled():
        Customer.objects.filter(pk=person.pk).update(preferred_language="tr")
    response = client.get(preference_url(tenant, person))
    assert "Tercihleriniz" in response.content.decode()


# --- loyalty on the preference page ---


def test_a_member_sees_their_points_and_statement(client, tenant, person):
    from loyalty.services.ledger import member_enrol, points_adjust
    from tests.loyalty.factories import ProgrammeFactory

    ProgrammeFactory(tenant=tenant, welcome_bonus=0)
    with scopes_disabled():
        member = member_enrol(tenant=tenant, actor=None, customer=person)
        points_adjust(tenant=tenant, actor=None, member=member, points=120, reason="Hoş geldin")
        points_adjust(tenant=tenant, actor=None, member=member, points=-20, reason="Hediye")
    response = client.get(preference_url(tenant, person))
    (section,) = response.context["sections"]
    assert section["context"]["member"].available == 100
    assert [e.running_available for e in section["context"]["statement"]] == [100, 120]
    assert 'data-testid="points-available">100<' in response.content.decode()


def test_no_loyalty_section_without_a_programme_or_membership(client, tenant, person):
    from tests.loyalty.factories import ProgrammeFactory

    assert client.get(preference_url(tenant, person)).context["sections"] == []
    ProgrammeFactory(tenant=tenant)
    assert client.get(preference_url(tenant, person)).context["sections"] == []


# --- the link on request ---


def send_url(tenant, customer) -> str:
    return reverse(
        "acquisition:preference_link_send",
        kwargs={"tenant_slug": tenant.slug, "customer_id": customer.pk},
    )


def test_staff_email_the_link_in_the_customers_language(
    sales_client, mailoutbox, settings, tenant, person
):
    settings.CRM_SITE_URL = "https://crm.example.com"
    with scopes_disabled():
        Customer.objects.filter(pk=person.pk).update(email="deniz@example.com")
    response = sales_client.post(send_url(tenant, person), follow=True)
    assert "was emailed to deniz@example.com" in response.content.decode()
    (message,) = mailoutbox
    assert message.to == ["deniz@example.com"]
    assert message.subject == "Your preferences at Anadolu Ticaret A.Ş."  # she reads English
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    page = Client().get(link.removeprefix("https://crm.example.com"))
    assert page.status_code == 200 and page.context["customer"] == person
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="acquisition.preference_link.sent").count() == 1


def test_no_email_address_is_a_message_not_an_error(sales_client, mailoutbox, tenant, person):
    response = sales_client.post(send_url(tenant, person), follow=True)
    assert "has no email address" in response.content.decode()
    assert mailoutbox == []


@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_strangers_cannot_send_the_link(request, mailoutbox, tenant, person, stranger):
    client = request.getfixturevalue(stranger)
    with scopes_disabled():
        Customer.objects.filter(pk=person.pk).update(email="deniz@example.com")
    assert client.post(send_url(tenant, person)).status_code == 404
    assert mailoutbox == []


def test_sending_the_link_is_a_post(sales_client, tenant, person):
    assert sales_client.get(send_url(tenant, person)).status_code == 405
