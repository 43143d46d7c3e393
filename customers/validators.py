"""Validators for Turkish identifiers (python-stdnum does the checksums)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.tr import tckimlik, vkn


def validate_turkish_tax_number(value: str) -> None:
    """A TCKN (11 digits, personal id) or a VKN (10 digits, tax office number)."""
    digits = value.strip()
    if not digits.isdigit() or len(digits) not in (10, 11):
        raise ValidationError(
            _("A tax number has 10 digits (VKN) or 11 digits (TCKN)."), code="tax_number_format"
        )
    try:
        if len(digits) == 11:
            tckimlik.validate(digits)
        else:
            vkn.validate(digits)
    except StdnumError as exc:
        kind = _("TCKN") if len(digits) == 11 else _("VKN")
        raise ValidationError(
            _("This %(kind)s is not valid: its check digits do not match."),
            params={"kind": kind},
            code="tax_number_checksum",
        ) from exc
