"""The admin's forms that start jobs: a file to check and import, a year to export."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from interchange.exporting import FORMATS
from survey.models import Report


class ImportForm(forms.Form):
    import_file = forms.FileField(
        label=_("file"), help_text=_("CSV (UTF-8 or GB18030) or XLSX, in the interchange format.")
    )
    year = forms.IntegerField(
        label=_("survey year"),
        required=False,
        min_value=1980,
        max_value=2100,
        help_text=_("Leave blank when the file has a “year” column."),
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        # The rows are read by the job, not here; only the size is the request's to bound.
        limit = settings.SURVEY_ADMIN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The admin imports files of up to %(size)s. Import a larger file on the "
                    "server with: python manage.py import_survey FILE"
                )
                % {"size": filesizeformat(limit)}
            )
        return upload


class ExportYearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("survey year"), coerce=int)
    file_format = forms.ChoiceField(
        label=_("format"), choices=[(name, name.upper()) for name in FORMATS]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The years of the reports this user may read: an export holds only those reports.
        years = (
            Report.objects.visible_to(user)
            .order_by("-cycle_id")
            .values_list("cycle_id", flat=True)
            .distinct()
        )
        self.fields["year"].choices = [(year, year) for year in years]
