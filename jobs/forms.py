"""The admin's forms of jobs: a file to check and import, its columns to confirm, a year to
export."""

from collections import Counter

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from interchange.exporting import FORMATS
from interchange.models import ColumnMapping, one_line
from interchange.parsing import YEAR_COLUMN
from survey.instrument import items as instrument
from survey.models import Report
from survey.text import validate_text


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


# The choice of a column the import leaves out.
IGNORE = "-"


def item_choices():
    """Every item a column may hold, by section, after the survey year and "ignore"."""
    by_section = {}
    for item in instrument.items():
        by_section.setdefault(item.section, []).append((item.code, f"{item.code} · {item.label}"))
    return [
        ("", _("— choose —")),
        (IGNORE, _("ignore this column")),
        (YEAR_COLUMN, f"{YEAR_COLUMN} · {_('survey year')}"),
        *((section.title, by_section[section.key]) for section in instrument.SECTIONS),
    ]


class ItemSelect(forms.Select):
    """A column's choice of item, written as plain HTML: with some 150 options on each of a
    file's hundred-odd columns, Django's template per option takes seconds a page."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = "" if value is None else str(value)
        return format_html("<select{}>{}</select>", flatatt(attrs), self._options(selected))

    def _options(self, selected):
        def option(value, label):
            mark = " selected" if str(value) == selected else ""
            return format_html('<option value="{}"{}>{}</option>', value, mark, label)

        parts = []
        for value, label in self.choices:
            if isinstance(label, list | tuple):
                group = mark_safe("".join(option(*choice) for choice in label))
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', value, group))
            else:
                parts.append(option(value, label))
        return mark_safe("".join(parts))


class ColumnsForm(forms.Form):
    """The mapping step of an import: the item each column not headed by its code holds."""

    save_as = forms.CharField(
        label=_("save this mapping as"),
        required=False,
        max_length=100,
        validators=[validate_text, one_line],
        help_text=_(
            "A name, to have these columns filled in for the next file with the same headers."
        ),
    )

    def __init__(self, *args, file_columns, year_given, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_columns = file_columns
        self.year_given = year_given
        self.fields["save_as"].initial = file_columns.saved_mapping
        choices = item_choices()
        for index, column in enumerate(file_columns.to_confirm):
            initial = IGNORE if column.ignored else column.proposed or ""
            self.fields[self._field_name(index)] = forms.ChoiceField(
                label=column.header, choices=choices, initial=initial, widget=ItemSelect
            )

    @staticmethod
    def _field_name(index):
        return f"column_{index}"

    def column_rows(self):
        """(the column as read, its bound field), for the page's table."""
        return [
            (column, self[self._field_name(index)])
            for index, column in enumerate(self.file_columns.to_confirm)
        ]

    def clean_save_as(self):
        name = self.cleaned_data["save_as"]
        headers = [column.header for column in self.file_columns.columns]
        if name and ColumnMapping.objects.of_other_headers(name, headers):
            raise forms.ValidationError(
                _("A mapping of other headers is saved under this name: choose another name.")
            )
        return name

    def clean(self):
        data = super().clean()
        header_of_code = {
            column.proposed: column.header for column in self.file_columns.headed_by_code
        }
        repeated = Counter(column.header for column in self.file_columns.columns)
        for index, column in enumerate(self.file_columns.to_confirm):
            name = self._field_name(index)
            code = data.get(name)
            if not code or code == IGNORE:
                continue
            if repeated[column.header] > 1:
                # The mapping reads a column by its header: two alike cannot hold two items.
                self.add_error(
                    name,
                    _(
                        "Two columns are headed “%(header)s”: rename one of them in the file, "
                        "or ignore both."
                    )
                    % {"header": column.header},
                )
            elif header_of_code.setdefault(code, column.header) != column.header:
                self.add_error(
                    name,
                    _("The column “%(other)s” holds this item already: ignore one of the two.")
                    % {"other": header_of_code[code]},
                )
        if self.errors:
            return data
        if "inst_code" not in header_of_code:
            raise forms.ValidationError(
                _("Choose the column that holds the institution code: every row needs one.")
            )
        if YEAR_COLUMN not in header_of_code and not self.year_given:
            raise forms.ValidationError(
                _(
                    "Choose the column that holds the survey year, or upload the file again "
                    "with the survey year given."
                )
            )
        return data

    def mapping(self):
        """{header: item code, or None to ignore the column} of every column confirmed."""
        chosen = (
            (column.header, self.cleaned_data[self._field_name(index)])
            for index, column in enumerate(self.file_columns.to_confirm)
        )
        return {header: None if code == IGNORE else code for header, code in chosen}
