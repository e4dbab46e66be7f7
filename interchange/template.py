"""The Excel template of a survey cycle: a workbook to fill in and import, whose cells refuse
what the importer would refuse.

Its first sheet (the one the importer reads) has one column per item the cycle asks, in the
form's order: the item's label and unit in the chosen language on row 1, its code on row 2 (the
header the importer takes, so that a filled template needs no mapping), the data from row 3.
Each column carries Excel's data validation of its item: a whole number in the item's range,
yes/no or a listed value from a drop-down in the chosen language (lists on a hidden sheet,
as the labels are too long for an inline list), text no longer than the item allows, the
cycle's year. Validation does not stop a paste, which the importer still checks cell by cell.
The codebook (items and rules) follows on the next sheets.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from interchange import codebook
from interchange.exporting import columns as file_columns
from survey.instrument import items as instrument

LANGUAGES = (codebook.CHINESE, codebook.ENGLISH)
FIRST_DATA_ROW = 3
LAST_ROW = 1_048_576  # Excel's last row: validation covers every row an admin may fill
LISTS_SHEET = "lists"
LABEL_ROW_HEIGHT = 75  # points: five lines of a wrapped label
# Characters wide, at least the code's: counts are narrow, names and free text wide.
WIDTHS = {instrument.TEXT: 30, instrument.CHOICE: 22}


def write_template(year, stream, language):
    """Write the template of the cycle of `year`, labelled in `language`, to `stream`."""
    from openpyxl import Workbook

    with translation.override(language):
        workbook = Workbook()
        data = workbook.active
        data.title = _("Data")
        lists = _Lists(workbook)
        entries = {entry.item.code: entry for entry in codebook.entries(year)}
        for index, code in enumerate(file_columns({year}), start=1):
            entry = entries.get(code)
            _add_column(data, index, code, entry, year, lists)
        data.freeze_panes = "E3"  # the year, code and names of the institution stay in view
        data.row_dimensions[1].height = LABEL_ROW_HEIGHT
        data.print_title_rows = "1:2"
        data.page_setup.orientation = "landscape"
        codebook.append_codebook_sheets(workbook, year)
        lists.sheet.sheet_state = "hidden"
        workbook.move_sheet(lists.sheet, offset=len(workbook.sheetnames) - 2)  # last
        workbook.save(stream)


def _add_column(sheet, index, code, entry, year, lists):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(index)
    label = sheet.cell(1, index, _("Survey year") if entry is None else label_with_unit(entry.item))
    label.font = Font(bold=True)
    label.alignment = Alignment(wrap_text=True, vertical="top")
    header = sheet.cell(2, index, code)
    header.font = Font(color="666666")
    header.fill = PatternFill("solid", fgColor="EEEEEE")
    kind = entry and entry.item.kind  # None: the year
    sheet.column_dimensions[letter].width = max(WIDTHS.get(kind, 14), len(code) + 2)
    if kind == instrument.TEXT:
        # Text stays text: an institution code "0012" keeps its zeros.
        sheet.column_dimensions[letter].number_format = "@"
    message, rule = _rule(entry, year, lists)
    validation = DataValidation(
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=_("Not a value of this item")[:32],
        error=message[:255],
        promptTitle=code[:32],
        prompt=message[:255],
        sqref=f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}",
        **rule,
    )
    sheet.add_data_validation(validation)


def label_with_unit(item):
    """The item's label, its unit in brackets after it unless the label ends with it already
    (`PET 或 PET/CT（台）`, `PET or PET/CT units`); the importer reads it without the unit."""
    label = str(item.label)
    if not item.unit or label.rstrip(")）").endswith(str(item.unit)):
        return label
    if translation.get_language() == codebook.ENGLISH:
        return f"{label} ({item.unit})"
    return f"{label}（{item.unit}）"


def _rule(entry, year, lists):
    """The message and the data validation rule of the column of `entry` (None: the year)."""
    if entry is None:
        message = _("The survey year: %(year)s.") % {"year": year}
        return message, {"type": "whole", "operator": "equal", "formula1": str(year)}
    item = entry.item
    if item.kind in (instrument.FLAG, instrument.CHOICE):
        return _("A value from the list."), {"type": "list", "formula1": lists.add(entry.choices)}
    if item.kind == instrument.COUNT:
        message = _("A whole number from 0 to %(maximum)s.") % {"maximum": entry.maximum}
        bounds = {"formula1": "0", "formula2": str(entry.maximum)}
        return message, {"type": "whole", "operator": "between", **bounds}
    message = _("Text of at most %(length)s characters.") % {"length": entry.maximum}
    return message, {
        "type": "textLength",
        "operator": "lessThanOrEqual",
        "formula1": str(entry.maximum),
    }


class _Lists:
    """The hidden sheet of the drop-down lists: one column per distinct list."""

    def __init__(self, workbook):
        self.sheet = workbook.create_sheet(LISTS_SHEET)
        self.ranges = {}

    def add(self, choices):
        """The absolute range of the list of `choices`' labels, written once per list."""
        from openpyxl.utils import get_column_letter

        labels = tuple(choice.label for choice in choices)
        if labels not in self.ranges:
            column = len(self.ranges) + 1
            for row, label in enumerate(labels, start=1):
                self.sheet.cell(row, column, label).data_type = "s"
            letter = get_column_letter(column)
            self.ranges[labels] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(labels)}"
        return self.ranges[labels]
