"""Turkish is complete: every message a template or a Python module shows to users has a Turkish
translation in one of the catalogues (the core's or an app's)."""

from __future__ import annotations

from pathlib import Path

import django
from django.conf import settings

from crm.compile_messages import catalogue_paths
from tests.i18n.extraction import project_messages, translated_messages

BASE = Path(settings.BASE_DIR)


def _untranslated(base: Path, catalogues: list[Path]) -> list[str]:
    translated = translated_messages(catalogues)
    return sorted(
        f"{message.where}: {message.id!r}"
        for message in project_messages(base)
        if (message.context, message.id) not in translated
    )


def test_every_message_shown_to_users_has_a_turkish_translation():
    turkish = [path for path in catalogue_paths(BASE) if path.parts[-3] == "tr"]
    # Our overrides of Django's own templates (admin/) reuse messages Django translates.
    django_turkish = sorted(Path(django.__file__).parent.glob("**/locale/tr/LC_MESSAGES/django.po"))
    assert _untranslated(BASE, turkish + django_turkish) == []


PO_HEADER = """msgid ""
msgstr ""
"Language: tr\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""


def _project(tmp_path: Path, *, po: str) -> tuple[Path, list[Path]]:
    (tmp_path / "shop" / "templates" / "shop").mkdir(parents=True)
    (tmp_path / "shop" / "templates" / "shop" / "page.html").write_text(
        "{% load i18n %}\n<div>\n  <h1>{% translate 'Basket' %}</h1>\n"
        "  {% blocktranslate count counter=n %}{{ counter }} item{% plural %}{{ counter }} items"
        "{% endblocktranslate %}\n</div>\n",
        encoding="utf-8",
    )
    (tmp_path / "shop" / "views.py").write_text(
        "from django.utils.translation import gettext as _, pgettext\n"
        "MESSAGE = _('Paid.')\nLABEL = pgettext('button', 'Recalculate')\n",
        encoding="utf-8",
    )
    catalogue = tmp_path / "shop" / "locale" / "tr" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(PO_HEADER + po, encoding="utf-8")
    return tmp_path, [catalogue]


def test_check_reports_template_and_python_messages_without_translation(tmp_path):
    base, catalogues = _project(tmp_path, po='\nmsgid "Basket"\nmsgstr "Sepet"\n')
    assert _untranslated(base, catalogues) == [
        "shop/templates/shop/page.html:4: '%(counter)s item'",
        "shop/views.py:2: 'Paid.'",
        "shop/views.py:3: 'Recalculate'",
    ]


def test_check_passes_when_every_message_is_translated(tmp_path):
    po = (
        '\nmsgid "Basket"\nmsgstr "Sepet"\n'
        '\nmsgid "%(counter)s item"\nmsgid_plural "%(counter)s items"\n'
        'msgstr[0] "%(counter)s ürün"\n'
        '\nmsgid "Paid."\nmsgstr "Ödendi."\n'
        '\nmsgctxt "button"\nmsgid "Recalculate"\nmsgstr "Yeniden hesapla"\n'
    )
    base, catalogues = _project(tmp_path, po=po)
    assert _untranslated(base, catalogues) == []


def test_a_message_translated_in_another_context_is_still_missing(tmp_path):
    po = (
        '\nmsgid "Basket"\nmsgstr "Sepet"\n'
        '\nmsgid "%(counter)s item"\nmsgid_plural "%(counter)s items"\n'
        'msgstr[0] "%(counter)s ürün"\n'
        '\nmsgid "Paid."\nmsgstr "Ödendi."\n'
        '\nmsgid "Recalculate"\nmsgstr "Yeniden hesapla"\n'
    )
    base, catalogues = _project(tmp_path, po=po)
    assert _untranslated(base, catalogues) == ["shop/views.py:3: 'Recalculate'"]
