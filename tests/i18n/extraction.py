"""Every message the project shows to users, extracted with Babel from the Python modules and
the Django templates of the project's own apps (templates go through Django's `templatize`,
which turns {% translate %} and {% blocktranslate %} into gettext calls Babel reads).

Used by tests/i18n/test_translations_complete.py: a message missing from every Turkish
catalogue fails the suite."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

# gettext and friends as the project spells them (see STYLE.md rule 12).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
SKIPPED_FOLDERS = {".venv", "tests", "bench", "migrations", "node_modules", "static", ".data"}


@dataclass(frozen=True)
class Message:
    id: str  # the singular form
    context: str | None
    where: str  # path:line, to find it


def _python_files(base: Path) -> Iterator[Path]:
    for path in sorted(base.rglob("*.py")):
        parts = set(path.relative_to(base).parts[:-1])
        if not parts & SKIPPED_FOLDERS:
            yield path


def _template_files(base: Path) -> Iterator[Path]:
    for path in sorted(base.rglob("*.html")):
        relative = path.relative_to(base)
        if "templates" in relative.parts and not set(relative.parts) & SKIPPED_FOLDERS:
            yield path


def _messages(source: bytes, where: Path, base: Path) -> Iterator[Message]:
    for line, _function, texts, _comments in extract_python(
        io.BytesIO(source), KEYWORDS.keys(), [], {"encoding": "utf-8"}
    ):
        if isinstance(texts, str):
            texts = (texts,)
        texts = tuple(texts)
        function_name = _function
        context = None
        if function_name.startswith(("pgettext", "npgettext")):
            context, texts = texts[0], texts[1:]
        if texts and texts[0]:
            yield Message(id=texts[0], context=context, where=f"{where.relative_to(base)}:{line}")


def project_messages(base: Path) -> list[Message]:
    """Every translatable message of the project's Python modules and templates."""
    found: list[Message] = []
    for path in _python_files(base):
        found.extend(_messages(path.read_bytes(), path, base))
    for path in _template_files(base):
        python_like = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        # Blanked-out markup keeps its indentation, which Python's tokenizer rejects.
        flat = "\n".join(line.lstrip() for line in python_like.splitlines())
        found.extend(_messages(flat.encode("utf-8"), path, base))
    return found


def translated_messages(paths: list[Path]) -> set[tuple[str | None, str]]:
    """(context, id) of every message with a Turkish translation in the given catalogues."""
    translated = set()
    for path in paths:
        with path.open("rb") as po_file:
            catalogue = read_po(po_file)
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            singular = message.id[0] if isinstance(message.id, tuple | list) else message.id
            string = message.string
            if isinstance(string, tuple | list):
                string = string[0] if string else ""
            if string:
                translated.add((message.context, singular))
    return translated
