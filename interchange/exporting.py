"""Survey data out again in the interchange format: CSV (with BOM, for Excel) or XLSX.

A file exported here and imported again gives identical data (tested). A file has the columns
its years ask: one year's, only the items that cycle asks (as a file of that year may leave
out the others); several years', every item any of them asks, blank in a row whose year does
not ask it (the importer refuses a value there). Text stored before
the rule of acceptable text (`survey.text`) may hold control characters, which XLSX cannot hold
and the importer refuses: they are written as U+FFFD, and the number of cells so changed is
returned and logged, so that the file is always written and always imports again.
"""

import io
import logging
import re
import tempfile

from django.http import FileResponse

from interchange.files import bom_csv_writer
from interchange.parsing import YEAR_COLUMN, neutralise_formula
from survey.instrument import items as instrument
from survey.models import Report
from survey.text import printable

logger = logging.getLogger(__name__)

# Every column of the instrument: an export's are those its years ask (`columns`).
COLUMNS = [YEAR_COLUMN, *instrument.item_codes()]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def reports_for_export(reports=None, *, year=None, province=None):
    """The reports to export, oldest year first, one query whatever their number."""
    reports = Report.objects.all() if reports is None else reports
    if year is not None:
        reports = reports.for_year(year)
    if province is not None:
        reports = reports.in_province(province)
    return reports.select_related("institution").order_by("cycle_id", "institution__code")


def columns(years):
    """The columns of a file of survey `years`: the year, then every item any of them asks, in
    the dictionary's order (every item when there is no year)."""
    if not years:
        return COLUMNS
    asked = [item.code for item in instrument.items() if any(map(item.asked_in, years))]
    return [YEAR_COLUMN, *asked]


def columns_of(reports):
    """The columns of an export of `reports` (a queryset): those of the years they are of."""
    return columns(set(reports.order_by().values_list("cycle_id", flat=True).distinct()))


def rows(reports, table_columns=COLUMNS):
    """One list of cells per report, in the order of `table_columns`."""
    for report in reports.iterator(chunk_size=2000):
        yield row_of(report.cycle_id, report.item_values(), table_columns)


def row_of(year, values, table_columns=COLUMNS):
    """The cells of one report's values (item code -> value) for survey year `year`, under
    `table_columns`: blank in the columns of items that year does not ask."""
    by_code = instrument.items_by_code()
    return [
        year,
        *(
            _cell(values.get(code)) if by_code[code].asked_in(year) else ""
            for code in table_columns[1:]
        ),
    ]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


def _write_csv(table_columns, table_rows, stream):
    """Write to a binary stream, UTF-8 with BOM so that Excel shows Chinese correctly."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    writer = bom_csv_writer(text)
    writer.writerow(table_columns)
    writer.writerows(table_rows)
    text.detach()


def _write_xlsx(table_columns, table_rows, stream):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("survey")
    sheet.append(table_columns)
    for cells in table_rows:
        sheet.append([xlsx_cell(sheet, value, WriteOnlyCell) for value in cells])
    workbook.save(stream)


# Spreadsheets read "_x000B_" in a cell as the character U+000B (and the importer does too):
# text that holds such a sequence literally has its underscore escaped, as Excel writes it.
EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def xlsx_cell(sheet, value, cell_class):
    """A write-only cell holding `value` as itself: text is never a formula nor an escape."""
    if isinstance(value, str):
        value = EXCEL_ESCAPE.sub(r"_x005F_\1", value)
    cell = cell_class(sheet, value=value)
    if isinstance(value, str):
        # openpyxl would store text starting with "=" as a formula.
        cell.data_type = "s"
    return cell


def write(reports, stream, file_format):
    """Write `reports` to `stream`; returns how many cells had characters replaced."""
    table_columns = columns_of(reports)
    return write_rows(rows(reports, table_columns), stream, file_format, table_columns)


def write_rows(table_rows, stream, file_format, table_columns=COLUMNS):
    """Write the rows (cells under `table_columns`) to `stream`; returns how many cells had
    characters replaced."""
    replaced = _Replacements()
    {"csv": _write_csv, "xlsx": _write_xlsx}[file_format](
        table_columns, map(replaced.clean, table_rows), stream
    )
    if replaced.cells:
        logger.warning(
            "Export: %s cells held control characters, written as U+FFFD.", replaced.cells
        )
    return replaced.cells


class _Replacements:
    """Makes each row's text acceptable (see the module's docstring), counting the cells."""

    def __init__(self):
        self.cells = 0

    def clean(self, cells):
        return [self._cell(value) for value in cells]

    def _cell(self, value):
        if not isinstance(value, str):
            return value
        text, count = printable(value)
        self.cells += count > 0
        return text


def download(reports, file_format, name="survey"):
    table_columns = columns_of(reports)
    return download_rows(rows(reports, table_columns), file_format, name, table_columns)


def download_rows(table_rows, file_format, name="survey", table_columns=COLUMNS):
    """A file response; the file is spooled to disk when large instead of held in memory."""
    stream = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)
    write_rows(table_rows, stream, file_format, table_columns)
    stream.seek(0)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"{name}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
    )
