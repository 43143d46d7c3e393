"""Forms of the data exchange pages: the CSV upload, its column choices and the transaction
export."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from customers.importing.columns import COLUMNS_BY_KIND, HeaderMatch, column_label
from customers.importing.decoding import FileFormat, ImportFileError
from customers.importing.service import import_file_check
from customers.models import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What does the file contain?"),
        choices=ImportKind.choices,
        initial=ImportKind.CUSTOMERS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Windows Turkish (1254) encoding; comma, semicolon or tab separated."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv"}),
    )

    file_format: FileFormat | None = None

    def __init__(self, *args, upload_too_large: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The upload was cut off at the size limit (see exchange_views.UploadLimit).
        self.upload_too_large = upload_too_large
        if upload_too_large:
            self.fields["file"].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        limit = settings.CRM_MAX_UPLOAD_BYTES
        if self.upload_too_large:
            self.add_error(
                "file",
                _("The file is larger than %(limit)s, the largest file you can import.")
                % {"limit": filesizeformat(limit)},
            )
            return cleaned
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload is None or kind is None:
            return cleaned
        if upload.size > limit:
            self.add_error(
                "file",
                _("The file is %(size)s; the largest file you can import is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
            return cleaned
        try:
            self.file_format = import_file_check(kind=kind, raw=upload.file, preview=True)
        except ImportFileError as exc:
            self.add_error("file", str(exc))
        finally:
            upload.seek(0)
        return cleaned


class DelimiterChoice(forms.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("Format"),
            choices=[
                ("comma", _("CSV (comma, 1234.56)")),
                ("semicolon", _("Turkish Excel (semicolon, 1234,56)")),
            ],
            initial="semicolon",
            required=False,
            **kwargs,
        )


class TransactionExportForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = DelimiterChoice()

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    @property
    def turkish_excel(self) -> bool:
        return self.cleaned_data.get("format") != "comma"


IGNORE = "-"


class ColumnMappingForm(forms.Form):
    """One choice per header of an uploaded file: the field it goes to, or "ignore". A header
    that is not one of our column names starts undecided, so nothing is ignored silently."""

    def __init__(self, *args, kind: str, matches: list[HeaderMatch], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.matches = matches
        columns = COLUMNS_BY_KIND[kind]
        for match in matches:
            options = [(column.name, column_label(column)) for column in columns]
            if match.suggestion is not None:
                suggested = (
                    match.suggestion.name,
                    _("%(column)s (suggested)") % {"column": column_label(match.suggestion)},
                )
                options = [suggested, *(o for o in options if o[0] != match.suggestion.name)]
            self.fields[self.field_name(match.position)] = forms.ChoiceField(
                label=_("Column %(number)d, “%(header)s”, imported as")
                % {"number": match.position + 1, "header": match.text or _("(no header)")},
                choices=[("", _("Choose…")), (IGNORE, _("Ignore this column")), *options],
                required=False,
                initial=match.field,
            )

    @staticmethod
    def field_name(position: int) -> str:
        return f"column_{position}"

    def rows(self) -> list[tuple[HeaderMatch, forms.BoundField]]:
        return [(match, self[self.field_name(match.position)]) for match in self.matches]

    def current_mapping(self) -> list[str]:
        """The fields chosen so far ("" for ignored or undecided), for the rows' preview; also
        for a form with errors."""
        known = {column.name for column in COLUMNS_BY_KIND[self.kind]}
        mapping: list[str] = []
        for match in self.matches:
            bound = self[self.field_name(match.position)]
            value = bound.value() if self.is_bound else bound.initial
            mapping.append(value if value in known and value not in mapping else "")
        return mapping

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen: dict[str, int] = {}
        for match in self.matches:
            name = self.field_name(match.position)
            value = cleaned.get(name)
            if name in self.errors:
                continue
            if not value:
                self.add_error(name, _("Choose the field this column goes to, or ignore it."))
            elif value != IGNORE and value in chosen:
                self.add_error(
                    name,
                    _("Column %(number)d already goes to this field; ignore one of them.")
                    % {"number": chosen[value] + 1},
                )
            elif value != IGNORE:
                chosen[value] = match.position
        missing = [c for c in COLUMNS_BY_KIND[self.kind] if c.required and c.name not in chosen]
        if missing:
            self.add_error(
                None,
                _(
                    "Every import needs these columns: %(columns)s. Choose the file's column "
                    "for each, or add it to the file."
                )
                % {"columns": ", ".join(column_label(column) for column in missing)},
            )
        return cleaned

    def mapping(self) -> list[str]:
        """The confirmed choices: one field name per header, "" for an ignored column."""
        values = [self.cleaned_data[self.field_name(match.position)] for match in self.matches]
        return ["" if value == IGNORE else value for value in values]
