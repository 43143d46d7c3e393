"""The import's main path in Chromium: upload a customer file with a misspelled and an unknown
header, see how the columns were read, map the misspelled one to its suggestion, ignore the
other, confirm, and find the rows imported."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from customers.importing.service import import_job_run
from customers.models import Customer, ImportJob
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FILE = (
    "Müşteri No;Ad;Soyad;E-psota;Favori Renk\n"
    "M1;Ayşe;Yılmaz;ayse@example.com;mavi\n"
    "M2;Can;Ak;can@example.com;yeşil\n"
).encode()


def test_upload_preview_map_a_misspelled_column_and_import(
    page, live_server, tenant, manager_user, console_errors, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    tenant.default_language = "en"
    tenant.save()
    sign_in(page, live_server, manager_user)
    page.goto(
        live_server.url + reverse("customers:import_new", kwargs={"tenant_slug": tenant.slug})
    )
    page.get_by_label("CSV file").set_input_files(
        {"name": "musteriler.csv", "mimeType": "text/csv", "buffer": FILE}
    )
    page.get_by_role("button", name="Upload and check the columns").click()

    page.wait_for_url("**/imports/*/preview/")
    assert page.get_by_role("heading", name="Check the columns").is_visible()
    assert "Did you mean “E-posta”?" in page.locator("#import-preview").inner_text()
    assert serious_violations(page) == []
    misspelled = page.get_by_label("Column 4, “E-psota”, imported as")
    misspelled.select_option("email")  # htmx redraws the preview with the choice
    first_row = page.locator("#import-preview table").nth(1).locator("tbody tr").first
    expect(first_row).to_contain_text("ayse@example.com")
    expect(page.locator("#import-preview .is-invalid")).to_have_count(1)  # column 5
    page.get_by_label("Column 5, “Favori Renk”, imported as").select_option("-")
    # Redrawn: no column is left to decide (the one above was marked until now).
    expect(page.locator("#import-preview .is-invalid")).to_have_count(0)
    page.get_by_role("button", name="Import 2 rows").click()

    page.wait_for_url("**/imports/*/")
    with scopes_disabled():
        job = ImportJob.objects.get(tenant=tenant)
    with scope(tenant=tenant):  # the worker's part (None when it already ran inline)
        import_job_run(tenant=tenant, job_id=job.pk)
    page.reload()
    assert "2 of 2 rows processed" in page.locator("#import-progress").inner_text()
    with scopes_disabled():
        emails = dict(Customer.objects.filter(tenant=tenant).values_list("external_id", "email"))
    assert emails == {"M1": "ayse@example.com", "M2": "can@example.com"}
    assert console_errors == []
