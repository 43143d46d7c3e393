"""Compile every catalogue (the core's locale/ and each app's <app>/locale/) to .mo with Babel,
so setup needs no GNU gettext.

Run as `python -m crm.compile_messages` (make does). Fuzzy entries are left out, as msgfmt does.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parent.parent


# The core's catalogue, and one per app so that each app keeps its own strings (Django reads
# <app>/locale/ of every installed app).
CATALOGUE_PATTERNS = ("locale/*/LC_MESSAGES/*.po", "*/locale/*/LC_MESSAGES/*.po")


def catalogue_paths(base_dir: Path = BASE_DIR) -> list[Path]:
    paths = {path for pattern in CATALOGUE_PATTERNS for path in base_dir.glob(pattern)}
    return sorted(path for path in paths if not path.is_relative_to(base_dir / ".venv"))


def compile_catalogues(base_dir: Path = BASE_DIR) -> list[Path]:
    compiled = []
    for po_path in catalogue_paths(base_dir):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=False)
        compiled.append(mo_path)
    return compiled


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(BASE_DIR)}")
