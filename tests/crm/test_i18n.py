"""Turkish first: the compiled catalogue is used, complete, and the language can be switched."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from crm.compile_messages import catalogue_paths, compile_catalogues

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "tr" / "LC_MESSAGES" / "django.po"
TURKISH_CATALOGUES = [path for path in catalogue_paths() if path.parts[-3] == "tr"]


@pytest.mark.parametrize("path", TURKISH_CATALOGUES, ids=lambda path: str(path.parent.parent))
def test_turkish_catalogue_translates_every_message(path):
    with path.open("rb") as po_file:
        catalogue = read_po(po_file)
    untranslated = [message.id for message in catalogue if message.id and not message.string]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_app_catalogues_are_found(tmp_path):
    app_catalogue = tmp_path / "loyalty" / "locale" / "tr" / "LC_MESSAGES" / "django.po"
    app_catalogue.parent.mkdir(parents=True)
    app_catalogue.write_bytes(CATALOGUE.read_bytes())
    assert catalogue_paths(tmp_path) == [app_catalogue]


def test_catalogue_compiles_to_mo(tmp_path):
    copy = tmp_path / "locale" / "tr" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(CATALOGUE.read_bytes())
    assert compile_catalogues(tmp_path) == [copy.with_suffix(".mo")]
    assert copy.with_suffix(".mo").stat().st_size > 0


def test_login_page_speaks_turkish_by_default(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "Giriş yap" in body
    assert 'lang="tr"' in body


def test_language_switcher_changes_to_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    body = client.get(reverse("login")).content.decode()
    assert "Sign in" in body
    assert "Giriş yap" not in body


def test_tenant_pages_speak_the_tenants_language(sales_client, tenant):
    del sales_client.cookies[settings.LANGUAGE_COOKIE_NAME]  # no personal choice made
    tenant.default_language = "en"
    tenant.save(update_fields=["default_language"])
    home = sales_client.get(reverse("tenant_home", kwargs={"tenant_slug": tenant.slug}))
    assert "Sign out" in home.content.decode()


def test_turkish_tenant_home_page(sales_client, tenant):
    del sales_client.cookies[settings.LANGUAGE_COOKIE_NAME]  # no personal choice made
    home = sales_client.get(reverse("tenant_home", kwargs={"tenant_slug": tenant.slug}))
    body = home.content.decode()
    assert "Çıkış yap" in body
    assert "Hoş geldiniz" in body
