"""The admin in Turkish: names capitalised with the Turkish rule (İzin, not Izin) and counts in
the language's plural forms (12 değer anahtarı, not 12 değer anahtarları)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def turkish_admin(admin_client_):
    admin_client_.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    return admin_client_


def test_admin_index_capitalises_the_turkish_way(turkish_admin, tenant):
    content = turkish_admin.get(reverse("admin:index")).content.decode()
    assert "İzin kayıtları" in content and "İçe aktarmalar" in content and "İşlemler" in content
    assert re.findall(r"\bI[zçşn][a-zçğışöü]", content) == []


def test_a_count_in_the_admin_takes_the_singular_noun_in_turkish(turkish_admin, tenant):
    content = turkish_admin.get(reverse("admin:segmentation_valuekey_changelist")).content.decode()
    count = re.search(r"(\d+) değer anahtar\w*", content)
    assert count is not None
    assert count.group(0) == f"{count.group(1)} değer anahtarı"
