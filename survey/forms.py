"""The report form: one page per section of the instrument, plus the list of equipment units.

A section form turns input into item values (`item_values()`); it checks what one field can
check (type and range, from the model fields). The cross-item rules and the data-quality
warnings are judged on the saved report (`survey.assessment.assess`) and shown beside the fields
they name, so that a draft can be saved while a rule is still broken.
"""

from dataclasses import dataclass, field

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from equipment.models import (
    ITEMISED_UNIT_TYPES,
    LONG_AXIAL_UNIT_TYPES,
    EquipmentUnit,
    UnitType,
)
from equipment.services import ATTRIBUTE_ITEMS, OWNER_ITEMS, attributes_asked, fingerprint
from interchange.parsing import InvalidValue, parse_count
from survey.assessment import asked_values
from survey.audit import shown_value
from survey.instrument import items as instrument
from survey.instrument.items import COUNT, FLAG, GROUPS, TEXT
from survey.models import Report
from survey.text import validate_text

# More imaging units and cyclotrons than the largest department runs: a page of more is forged,
# and each unit row costs a form to build and check.
MAX_UNITS = 100


def group_of(code):
    return next((group for group, codes in GROUPS.items() if code in codes), None)


def shown(item, value):
    return shown_value(item.code, value)


class YesNoRadio(forms.RadioSelect):
    """Yes / no / not answered as radio buttons: one tap each on a phone."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs, choices=[("True", _("Yes")), ("False", _("No")), ("", _("Not answered"))]
        )


class CountField(forms.IntegerField):
    """A count read as an import reads it (`interchange.parsing.parse_count`): digits 0-9 or
    full-width, thousands only in groups of three; not Arabic-Indic ٣ or "1_000", which
    Python's int() would take."""

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            return parse_count(str(value).strip())
        except InvalidValue as error:
            raise forms.ValidationError(str(error), code="invalid") from None


def item_formfield(item):
    """The form field of a report item, from its model field (type and range included)."""
    model_field = item.field
    if item.kind == FLAG:
        formfield = forms.NullBooleanField(required=False, widget=YesNoRadio)
    elif item.kind == COUNT:
        formfield = model_field.formfield(form_class=CountField)
        # A plain form does not run the model's validators: bring the upper bound along.
        formfield.validators.extend(
            v for v in model_field.validators if v not in formfield.validators
        )
        formfield.widget.attrs.update({"inputmode": "numeric", "min": 0, "class": "count"})
        group = group_of(item.code)
        if group:
            formfield.widget.attrs["data-group"] = group
    elif item.kind == TEXT:
        formfield = model_field.formfield(widget=forms.Textarea(attrs={"rows": 4}))
        # The model's acceptable-text rule (survey.text), which a plain form does not run.
        formfield.validators.extend(
            v for v in model_field.validators if v not in formfield.validators
        )
    else:
        formfield = model_field.formfield()
    formfield.required = False
    formfield.label = item.label
    formfield.help_text = model_field.help_text
    return formfield


def other_language_label(item):
    """The item's label in the language not shown, so both appear on the page."""
    other = "en" if translation.get_language() != "en" else "zh-hans"
    with translation.override(other):
        text = str(item.label)
    return text if text != str(item.label) else ""


@dataclass
class Row:
    """One item on a section page: its field, last year's value and what is wrong with it."""

    item: instrument.Item
    field: forms.BoundField
    other_label: str
    unit: str | None
    previous: str | None
    errors: list = field(default_factory=list)  # messages of rules this item is named first in
    warnings: list = field(default_factory=list)  # (rules.QualityWarning, explanation field) pairs
    flagged: bool = False  # named by a problem shown at another item of the section
    conflict: str | None = None  # the value someone else saved meanwhile


@dataclass
class Block:
    """Rows shown together: a group with its total (legend, total) or ungrouped items."""

    group: str | None
    rows: list
    label: str = ""
    total: str = "—"
    previous_total: str | None = None


class SectionForm(forms.Form):
    """The items of one section that the report's cycle asks, with the version it was loaded
    at."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    # The equipment counts the listed units decide, as the page showed them before saving
    # (`counts_shown`): a save that would change them otherwise asks first.
    counts_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, report, section, derived=(), **kwargs):
        self.report, self.section = report, section
        # Only what the report's cycle asks: a posted value of any other item is never read.
        self.items = [
            item
            for item in instrument.section_items(section.key, report.cycle_id)
            if item.on_report
        ]
        values = report.item_values()
        initial = {item.code: values[item.code] for item in self.items}
        initial["version"] = report.version
        super().__init__(data, initial=initial, **kwargs)
        for item in self.items:
            self.fields[item.code] = item_formfield(item)
            if item.code in DERIVABLE:
                mark_derivable(self.fields[item.code], item.code, values[item.code])
                if item.code in derived:
                    # Listed units decide this count (equipment.services.apply_unit_counts).
                    self.fields[item.code].widget.attrs["readonly"] = True
        self.warnings = []
        self.conflicts = {}
        self.count_changes = {}

    def item_values(self, derived=()):
        """The cleaned values by item code, but for the counts `derived` from listed units."""
        return {
            item.code: self.cleaned_data.get(item.code)
            for item in self.items
            if not self.fields[item.code].disabled and item.code not in derived
        }

    def ask_to_confirm(self, changes, counts):
        """Refuse this save: the listed units change `changes` ({item: (old, new)}) without the
        page having shown it. Saving the same input again confirms."""
        self.count_changes = {
            code: (shown_value(code, old), shown_value(code, new))
            for code, (old, new) in changes.items()
        }
        self.data = self.data.copy()
        self.data["counts_shown"] = fingerprint(counts)
        self.add_error(
            None, _("Listing the units changes the counts below. Check them, then save again.")
        )

    # -- warnings and their explanations --

    def add_warnings(self, warnings, notes):
        """A required-to-explain text field for each warning shown on this page."""
        codes = {item.code for item in self.items}
        self.warnings = [w for w in warnings if codes & set(w.items)]
        for warning in self.warnings:
            self.fields[self.note_name(warning)] = forms.CharField(
                label=_("Explanation"),
                required=False,
                max_length=500,
                validators=[validate_text],
                initial=warning.explanation(notes),
                widget=forms.Textarea(attrs={"rows": 2, "class": "explanation"}),
            )

    @staticmethod
    def note_name(warning):
        return f"note_{warning.key}"

    def notes(self):
        """The explanations given, by warning key; an explanation kept under a warning's legacy
        keys moves to its key (blank legacy entries are removed)."""
        notes = {}
        for warning in self.warnings:
            notes.update(dict.fromkeys(warning.legacy_keys, ""))
            notes[warning.key] = self.cleaned_data.get(self.note_name(warning), "")
        return notes

    def disable(self):
        for formfield in self.fields.values():
            formfield.disabled = True

    def summary(self):
        """(field id, label, message) of every error, in page order, for the error summary."""
        anchor = "units" if self.count_changes else "section-form"
        entries = [(anchor, _("This section"), error) for error in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name in self.fields:
                bound = self[name]
                target = bound.id_for_label or f"item-{name}"
                entries += [(target, bound.label, error) for error in errors]
        return entries

    # -- what the template shows --

    def current_values(self):
        """The values on the page: the input when bound (where it parses), else the report's
        (of the items its cycle asks: the group totals are over those)."""
        values = asked_values(self.report)
        if not self.is_bound:
            return values
        for item in self.items:
            formfield = self.fields[item.code]
            if formfield.disabled:
                continue
            raw = self[item.code].data
            try:
                values[item.code] = formfield.clean(raw)
            except forms.ValidationError:
                values[item.code] = None
        return values

    def blocks(self, assessment):
        """The section's rows, grouped as the dictionary's `sums_into` groups, in order."""
        values = self.current_values()
        previous = assessment.previous_values
        codes = [item.code for item in self.items]
        shown_at = {}
        for problem in [*assessment.errors, *self.warnings]:
            here = [code for code in problem.items if code in codes]
            if here:
                shown_at.setdefault(here[0], []).append(problem)
        flagged = {
            code for problems in shown_at.values() for problem in problems for code in problem.items
        }
        blocks, by_group = [], {}
        for item in self.items:
            problems = shown_at.get(item.code, [])
            row = Row(
                item=item,
                field=self[item.code],
                other_label=other_language_label(item),
                unit=item.unit,
                previous=_previous(item, previous, assessment.previous_year),
                errors=[p.message for p in problems if p in assessment.errors],
                warnings=[(p, self[self.note_name(p)]) for p in problems if p in self.warnings],
                flagged=item.code in flagged and not problems,
                conflict=self.conflicts.get(item.code),
            )
            group = group_of(item.code)
            if group is None:
                blocks.append(Block(None, [row]))
                continue
            if group not in by_group:
                by_group[group] = Block(group, [], label=instrument.label(group))
                blocks.append(by_group[group])
            by_group[group].rows.append(row)
        for group, block in by_group.items():
            block.total = _total(values, group)
            if previous:
                block.previous_total = _total(previous, group)
        return blocks

    def show_conflicts(self, current):
        """Note, beside each item, the value someone else saved since this form was loaded."""
        saved = current.item_values()
        mine = self.current_values()
        for item in self.items:
            if saved.get(item.code) != mine.get(item.code):
                self.conflicts[item.code] = shown(item, saved.get(item.code))


def _previous(item, previous, previous_year):
    """Last cycle's value of the item as shown beside it: "not asked" when that cycle did not
    ask it (not "—", which says it was not reported)."""
    if not previous:
        return None
    if not item.asked_in(previous_year):
        return str(_("not asked"))
    return shown(item, previous.get(item.code))


def _total(values, group):
    from survey.instrument.rules import group_total

    total = group_total(values, group)
    return "—" if total is None else f"{total:,}"


# Counts that listed units may decide, and how report_form.js recomputes each on the page.
DERIVABLE = (
    frozenset(UnitType.values) | frozenset(OWNER_ITEMS.values()) | frozenset(ATTRIBUTE_ITEMS)
)
_OWNER_OF_ITEM = {item: owner for owner, item in OWNER_ITEMS.items()}


def mark_derivable(formfield, code, saved):
    attrs = formfield.widget.attrs
    attrs["data-saved"] = "" if saved is None else str(saved)
    if code in _OWNER_OF_ITEM:
        attrs["data-derived-owner"] = _OWNER_OF_ITEM[code]
    elif code in ITEMISED_UNIT_TYPES:
        attrs["data-derived-type"] = code
    elif code in ATTRIBUTE_ITEMS:
        # The units of these types saying so count into it (a form only has it where asked).
        attribute, types = ATTRIBUTE_ITEMS[code]
        attrs["data-derived-attribute"] = attribute
        attrs["data-derived-types"] = " ".join(sorted(types))


class EquipmentUnitForm(forms.ModelForm):
    """One unit of a report whose cycle is of survey `year`: what a unit says of itself (long
    axial, made in China) is asked only where that cycle asks the counts it decides."""

    class Meta:
        model = EquipmentUnit
        fields = [
            "unit_type",
            "manufacturer",
            "model_name",
            "year_installed",
            "owner_department",
            *(attribute for attribute, _types in ATTRIBUTE_ITEMS.values()),
        ]
        widgets = {
            "year_installed": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1950}),
        }

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        unit_type = self.fields["unit_type"]
        # Minor devices are plain counts; a unit of theirs listed earlier keeps its type.
        offered = {*ITEMISED_UNIT_TYPES, self.instance.unit_type}
        unit_type.choices = [(v, label) for v, label in unit_type.choices if not v or v in offered]
        unit_type.widget.attrs["class"] = "unit-type"
        self.fields["owner_department"].widget.attrs["class"] = "unit-owner"
        asked = attributes_asked(year)
        for item, (attribute, _types) in ATTRIBUTE_ITEMS.items():
            if item not in asked:
                # Not asked: not shown, and a value posted for it is not read.
                del self.fields[attribute]
            else:
                # Stated by ticking or not: the page's answer is yes or no, never "not said".
                field = self.fields[attribute]
                self.fields[attribute] = forms.BooleanField(
                    label=field.label, help_text=field.help_text, required=False
                )
                # What report_form.js reads to count the unit into `item`.
                self.fields[attribute].widget.attrs["data-unit-attribute"] = attribute
        if "long_axial" in self.fields:
            # Only these types may say it: the script offers the box on them alone.
            self.fields["long_axial"].widget.attrs["data-only-types"] = " ".join(
                sorted(LONG_AXIAL_UNIT_TYPES)
            )


class BaseEquipmentUnitFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "year": self.instance.cycle_id}

    def pending_units(self):
        """The units as they will be once saved (call after `is_valid()`)."""
        deleted = set(map(id, self.deleted_forms))
        return [
            form.instance
            for form in self.forms
            if id(form) not in deleted and (form.instance.pk or form.has_changed())
        ]

    def summary(self):
        """(field id, label, message) of every error of the unit rows."""
        entries = [("units", _("Equipment units"), error) for error in self.non_form_errors()]
        for index, form in enumerate(self.forms, start=1):
            for name, errors in form.errors.items():
                anchor = form[name].id_for_label if name in form.fields else "units"
                label = _("Unit %(n)s") % {"n": index}
                if name in form.fields:
                    label = f"{label}: {form.fields[name].label}"
                entries += [(anchor, label, error) for error in errors]
        return entries


EquipmentUnitFormSet = inlineformset_factory(
    Report,
    EquipmentUnit,
    form=EquipmentUnitForm,
    formset=BaseEquipmentUnitFormSet,
    extra=1,
    can_delete=True,
    # A forged units-TOTAL_FORMS builds no more than this many forms, and is refused.
    max_num=MAX_UNITS,
    absolute_max=MAX_UNITS,
    validate_max=True,
)


class ReviewForm(forms.Form):
    """A reviewer's (or submitter's) comment on a workflow step."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
