"""A year's reports as the API gives them: the interchange export's columns and cells, a
page at a time in the order of institution codes."""

from dataclasses import dataclass

from interchange import exporting
from interchange.parsing import YEAR_COLUMN as YEAR
from survey.models import Report

DEFAULT_PAGE_SIZE = 2000  # a whole cycle of today's ~1,250 reports in one page
MAX_PAGE_SIZE = 5000
STATUS_COLUMN = "status"


@dataclass(frozen=True)
class Page:
    columns: list
    items: list
    count: int  # every report of the year the user sees, on every page
    more: bool

    @property
    def last_code(self):
        return self.items[-1]["inst_code"] if self.items else None


def reports_page(user, *, year, after=None, limit=DEFAULT_PAGE_SIZE):
    """The `Page` of the reports of `year` that `user` sees (`Report.objects.visible_to`)
    after institution code `after`, at most `limit`. An item is the CSV export's row as
    {column: value}, None where not reported, and the report's status.

    Keyset paging, so that a page costs the same at the end of 100,000 reports as at the
    start: two queries whatever the size.
    """
    reports = exporting.reports_for_export(Report.objects.visible_to(user), year=year)
    count = reports.count()
    if after:
        reports = reports.filter(institution__code__gt=after)
    found = list(reports[: limit + 1])
    columns = exporting.columns([year])
    return Page(
        columns=[*columns, STATUS_COLUMN],
        items=[_item(report, columns) for report in found[:limit]],
        count=count,
        more=len(found) > limit,
    )


def _item(report, columns):
    """The report's values under the year's columns, as the CSV has them but for two things:
    not reported is null, and text is given as it was filed (the CSV's guard against
    spreadsheet formulas would change a value beginning with `=`, `+`, `-` or `@`)."""
    values = report.item_values()
    item = {YEAR: report.cycle_id}
    for code in columns[1:]:
        value = values.get(code)
        item[code] = int(value) if isinstance(value, bool) else value
    item[STATUS_COLUMN] = report.status
    return item
