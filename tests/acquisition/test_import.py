"""Importing leads from CSV: new people become leads; anyone already known (email, phone, tax
number) or repeated in the file is listed, not doubled; bad rows are reported."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from acquisition.models import Lead
from acquisition.services import importing, leads_import
from customers.importing.decoding import ImportFileError
from customers.models import Customer
from tests.acquisition.conftest import make_campaign
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FILE = (
    "Ad;Soyad;Firma Adı;E-posta;Telefon;Vergi No;Kaynak;Kampanya;Not\n"
    "Ayşe;Kara;;ayse@example.com;0532 111 22 33;;fuar;bahar 2026;Stant ziyareti\n"
    "Bora;Uz;;BORA@example.com;;;;;\n"  # known customer (email, any case)
    "Cem;Er;;cem@example.com;0532 111 22 33;;;;\n"  # the phone of line 2
    ";;Deniz Lojistik A.Ş.;;;10000000146;;;\n"  # known tax number
    "Ece;Su;;;0532 999;;;;\n"  # bad phone, no other identity
    "Fuat;Ok;;fuat@example.com;;;uzay;;\n"  # unknown source
    ";;Gül Tekstil;info@gul.example;;;referral;;\n"
)


@pytest.fixture(autouse=True)
def _bahar(campaign):
    """FILE's campaign column names the company's "Bahar 2026" (any case)."""
    return campaign


def run(tenant, text: str, **kwargs):
    with scopes_disabled():
        return leads_import(tenant=tenant, actor=None, raw=BytesIO(text.encode("cp1254")), **kwargs)


@pytest.fixture
def known(tenant):
    return [
        CustomerFactory(tenant=tenant, first_name="Bora", last_name="Uz", email="bora@example.com"),
        CustomerFactory(
            tenant=tenant, first_name="Deniz", last_name="Lojistik", tax_number="10000000146"
        ),
    ]


def test_new_people_become_leads_and_the_known_are_listed(tenant, known, campaign):
    result = run(tenant, FILE, source_detail="Liste")

    assert result.created == 2
    assert [(d.line, d.field, d.customer_id) for d in result.duplicates] == [
        (3, "email", known[0].pk),
        (4, "phone", None),
        (5, "tax_number", known[1].pk),
    ]
    assert result.duplicates[1].customer_name == "Ayşe Kara"
    assert [line for line, _reasons in result.rejected] == [6, 7]
    with scopes_disabled():
        leads = {
            lead.customer.display_name: lead for lead in Lead.objects.select_related("customer")
        }
        assert Customer.objects.filter(tenant=tenant).count() == 4
    ayse, gul = leads["Ayşe Kara"], leads["Gül Tekstil"]
    assert (ayse.source, ayse.campaign, ayse.source_detail, ayse.notes) == (
        "event", campaign, "Liste", "Stant ziyareti",
    )  # fmt: skip
    assert (str(ayse.customer.phone), ayse.customer.lifecycle_stage) == (
        "+905321112233",
        "prospect",
    )
    assert (gul.source, gul.campaign, gul.source_detail, gul.customer.kind) == (
        "referral", None, "Liste", "company",
    )  # fmt: skip


def test_rows_without_a_campaign_get_the_one_chosen_for_the_file(tenant, campaign):
    text = "Ad;E-posta;Kaynak Ayrıntısı\nAli;ali@example.com;Fuar B2\n"
    result = run(tenant, text, campaign=campaign)
    assert result.created == 1
    with scopes_disabled():
        lead = Lead.objects.get(tenant=tenant)
    assert (lead.campaign, lead.source_detail) == (campaign, "Fuar B2")


def test_a_campaign_the_company_does_not_have_rejects_the_row(tenant, other_tenant):
    make_campaign(other_tenant, name="Yaz 2026")  # another company's
    make_campaign(tenant, name="Sadakat", objective="retention")  # not acquisition
    text = "Ad;E-posta;Kampanya\nAli;ali@example.com;Yaz 2026\nVeli;veli@example.com;Sadakat\n"
    result = run(tenant, text)
    assert result.created == 0
    assert [line for line, _reasons in result.rejected] == [2, 3]
    assert "is not one of the company's acquisition campaigns" in result.rejected[0][1][0]


def test_another_companys_campaign_cannot_be_given_for_the_file(tenant, other_campaign):
    with pytest.raises(ImportFileError):
        run(tenant, "Ad;E-posta\nAli;ali@example.com\n", campaign=other_campaign)


def test_the_same_file_twice_creates_nobody_the_second_time(tenant):
    run(tenant, FILE)
    again = run(tenant, FILE)
    assert again.created == 0
    assert len(again.duplicates) == 5


def test_another_tenants_customers_are_not_duplicates(tenant, other_tenant):
    CustomerFactory(tenant=other_tenant, email="ayse@example.com")
    assert run(tenant, FILE).created == 4


def test_a_file_without_an_identity_column_is_refused(tenant):
    with pytest.raises(ImportFileError, match="email, phone or tax number"):
        run(tenant, "Ad;Soyad\nAyşe;Kara\n")


def test_a_file_over_the_limit_is_refused_before_anything_is_written(tenant, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    with pytest.raises(ImportFileError, match="at most 3"):
        run(tenant, FILE)
    with scopes_disabled():
        assert not Lead.objects.filter(tenant=tenant).exists()


def test_the_import_page_shows_what_happened(manager_client, tenant, known):
    upload = SimpleUploadedFile("fuar.csv", FILE.encode("utf-8"), content_type="text/csv")
    response = manager_client.post(
        reverse("acquisition:import", kwargs={"tenant_slug": tenant.slug}), {"file": upload}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 leads created." in body
    assert "Bora Uz" in body and "earlier in the file" in body


def test_an_empty_upload_is_a_form_error(manager_client, tenant):
    upload = SimpleUploadedFile("bos.csv", b"", content_type="text/csv")
    response = manager_client.post(
        reverse("acquisition:import", kwargs={"tenant_slug": tenant.slug}), {"file": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
