"""Compile every locale/*/LC_MESSAGES/*.po to .mo with Babel, so setup needs no GNU gettext.

Run as `python -m crm.compile_messages` (make does). Fuzzy entries are left out, as msgfmt does.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parent.parent


def compile_catalogues(base_dir: Path = BASE_DIR) -> list[Path]:
    compiled = []
    for po_path in sorted(base_dir.glob("locale/*/LC_MESSAGES/*.po")):
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
