"""A report's whole filing as one workbook: its values in the interchange format (the first
sheet, which the importer reads back as it is), its equipment units, and the explanations
given for its warnings."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from equipment.models import EquipmentUnit
from equipment.services import attributes_asked
from interchange import exporting
from interchange.parsing import neutralise_formula
from survey.audit import unit_columns
from survey.text import printable


def _text(value):
    """Text a spreadsheet keeps as typed: no formula, no character XML cannot hold."""
    if not isinstance(value, str):
        return value
    return neutralise_formula(printable(value)[0])


def _yes_no(value):
    """A unit's yes/no attribute in words; blank where a submission kept before the attribute
    existed does not say."""
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def write_filing_workbook(year, filing, stream):
    """Write `filing` (a `survey.workflow.Filing`) of survey year `year` as XLSX to `stream`:
    the items and unit attributes that year's cycle asks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def cells(sheet, values):
        return [exporting.xlsx_cell(sheet, value, WriteOnlyCell) for value in values]

    workbook = Workbook(write_only=True)
    values = workbook.create_sheet("survey")
    columns = exporting.columns([year])
    values.append(cells(values, columns))
    values.append(cells(values, exporting.row_of(year, filing.values, columns)))

    units = workbook.create_sheet("units")
    attributes = [attribute for attribute, _types in attributes_asked(year).values()]
    units.append(
        cells(
            units,
            [
                _("Type"),
                _("Manufacturer"),
                _("Model"),
                _("Year installed"),
                _("Owning department"),
                *(
                    str(capfirst(EquipmentUnit._meta.get_field(name).verbose_name))
                    for name in attributes
                ),
            ],
        )
    )
    for unit in filing.units or []:
        described = [_text(part) for part in unit_columns(unit)]
        units.append(cells(units, [*described, *(_yes_no(unit.get(name)) for name in attributes)]))

    explanations = workbook.create_sheet("explanations")
    explanations.append(cells(explanations, [_("Warning"), _("Explanation")]))
    for entry in filing.explanations or []:
        explanations.append(
            cells(explanations, [_text(entry["warning"]), _text(entry["explanation"])])
        )
    workbook.save(stream)
