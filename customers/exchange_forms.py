"""Forms of the data exchange pages: the CSV upload and the transaction export."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

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
            self.file_format = import_file_check(kind=kind, raw=upload.file)
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
