"""Figures as data: the JSON and CSV that the command and the dashboards' downloads share."""

import io

from django.utils.translation import gettext as _

from interchange.files import bom_csv_writer
from reports import metrics, privacy
from reports.formatting import rounded

# Fixed names whatever the language; the label (in the active language) comes last so that
# the figures' columns keep their places.
CSV_COLUMNS = [
    "metric",
    "value",
    "baseline",
    "growth_pct",
    "n_reporting",
    "shared_value",
    "shared_baseline",
    "shared_items",
    "label",
]


def not_asked_in(year):
    """The marker of a figure the cycle of `year` did not ask: neither 0 nor not reported."""
    return _("not asked in %(year)s") % {"year": year}


def aggregates(*, year, baseline=None, province=None, disclosure=privacy.FULL_ACCESS):
    """Every metric of a scope in the `survey_aggregates` JSON shape, as `disclosure` lets
    its viewer see them (by default every report, nothing blanked).

    Public figures list the codes blanked in `suppressed` (not reported is a blank too);
    entitled ones list in `hidden_from_public` what the public does not see. Each metric
    says whether the year's cycle asked it (`asked`; not asked, its value is null and means
    neither 0 nor not reported) and, with a baseline, whether that cycle did
    (`baseline_asked`). Where the two cycles asked different items behind it, `shared` gives
    both years over the items both asked, which its `growth_pct` is over, and the items left
    out; `value` and `baseline` stay each year's figure over every item it asked.
    """
    comparison = privacy.apply(
        privacy.compare(year=year, baseline=baseline, province=province, disclosure=disclosure),
        disclosure,
    )
    marking = (
        {
            "hidden_from_public": sorted(disclosure.marked),
            **(
                {"baseline_hidden_from_public": sorted(disclosure.marked_baseline)}
                if baseline
                else {}
            ),
        }
        if disclosure.entitled
        else {"suppressed": sorted(disclosure.hidden)}
    )
    definitions = metrics.metrics()

    def entry(code, figure):
        result = {
            "value": figure.value,
            "baseline": figure.baseline,
            "growth_pct": rounded(figure.growth_pct),
            "n_reporting": figure.n_reporting,
            "asked": figure.asked,
        }
        if baseline:
            result["baseline_asked"] = figure.baseline_asked
        # The like-for-like figures go with the growth they give: not where it is blanked.
        if figure.shared is not None and figure.growth_pct is not None:
            result["shared"] = {
                "value": figure.shared.value,
                "baseline": figure.shared.baseline,
                "items": list(figure.shared.items),
                "left_out": list(definitions[code].items_left_out(year, baseline)),
            }
        return result

    return {
        "year": year,
        "baseline_year": baseline,
        "scope": province or "national",
        "published_reports_only": disclosure.published_only,
        **marking,
        "metrics": {code: entry(code, figure) for code, figure in comparison.items()},
    }


def aggregates_csv(document):
    """The same figures as CSV text, one metric a row (UTF-8 BOM so Excel reads it right):
    a figure its cycle did not ask reads "not asked in <year>", not reported is blank."""
    out = io.StringIO()
    writer = bom_csv_writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    not_asked = not_asked_in(document["year"])
    not_asked_before = not_asked_in(document["baseline_year"])
    definitions = metrics.metrics()
    for code, figure in document["metrics"].items():
        shared = figure.get("shared", {})
        cells = {
            **figure,
            "label": str(definitions[code].label) if code in definitions else "",
            "shared_value": shared.get("value"),
            "shared_baseline": shared.get("baseline"),
            "shared_items": " ".join(shared.get("items", ())) or None,
        }
        if not figure["asked"]:
            cells.update(value=not_asked, n_reporting=None)
        if not figure.get("baseline_asked", True):
            cells.update(baseline=not_asked_before)
        writer.writerow([code, *("" if cells[c] is None else cells[c] for c in CSV_COLUMNS[1:])])
    return out.getvalue()


# Excel refuses these in a sheet name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"
DENSITY_FORMAT = "0.00"


def _sheet_name(title, taken):
    name = str(title).translate(_SHEET_NAME_FORBIDDEN).strip()[:31] or "Sheet"
    candidate, n = name, 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _workbook_columns(board):
    """(header, number format, value of a row) of each column, as the dashboard's table shows
    them: the matched panel's growth to entitled viewers only, rank and density for a province."""
    not_asked = not_asked_in(board.year)
    not_asked_before = not_asked_in(board.baseline) if board.baseline else None
    columns = [
        (_("Figure"), None, lambda row: row.label),
        (_("Code"), None, lambda row: row.code),
        (str(board.year), COUNT_FORMAT, lambda row: row.value if row.asked else not_asked),
        (_("Share %"), PERCENT_FORMAT, lambda row: rounded(row.share_pct)),
        (_("Share of"), None, lambda row: row.base_label or ""),
    ]
    if board.baseline:
        columns += [
            (
                str(board.baseline),
                COUNT_FORMAT,
                lambda row: row.baseline if row.baseline_asked else not_asked_before,
            ),
            (_("Growth %"), PERCENT_FORMAT, lambda row: rounded(row.growth_pct)),
        ]
        if board.entitled:
            columns.append(
                (
                    _("Growth %, matched panel"),
                    PERCENT_FORMAT,
                    lambda row: rounded(row.panel_growth_pct),
                )
            )
    if board.province:
        columns += [
            (_("Per million people"), DENSITY_FORMAT, lambda row: rounded(row.per_million, 2)),
            (_("Rank"), "0", lambda row: row.rank),
            (_("Ranked among"), "0", lambda row: row.ranked_among),
        ]
    columns.append(
        (_("Reporting"), COUNT_FORMAT, lambda row: row.n_reporting if row.asked else None)
    )
    return columns


def dashboard_workbook(board, *, scope_name, disclosure_note=""):
    """The dashboard `board` (reports.dashboard.build, disclosure already applied) as .xlsx
    bytes: an "About" sheet (scope, years, disclosure, the headline figures), then one sheet
    per panel with the figures as numbers, formatted as the tables print them."""
    import pandas as pd
    from openpyxl.utils import get_column_letter

    columns = _workbook_columns(board)
    headers = [header for header, _format, _value in columns]

    def frame(rows):
        return pd.DataFrame(
            [[value(row) for _header, _format, value in columns] for row in rows],
            columns=headers,
        )

    about = [
        (_("Scope"), scope_name),
        (_("Survey year"), board.year),
        (_("Compared with"), board.baseline or "—"),
        (_("Resident population (million)"), round(board.population_millions, 1)),
        (_("Disclosure"), disclosure_note),
        (_("Not reported"), _("empty cell")),
    ]
    taken = set()
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        first = _sheet_name(_("About"), taken)
        pd.DataFrame(about).to_excel(writer, sheet_name=first, header=False, index=False)
        headline_at = len(about) + 2
        sheets = [(first, board.headline, headline_at)]
        frame(board.headline).to_excel(writer, sheet_name=first, index=False, startrow=headline_at)
        for data in board.panels:
            name = _sheet_name(data.panel.title, taken)
            frame(data.rows).to_excel(writer, sheet_name=name, index=False)
            sheets.append((name, data.rows, 0))
        for name, rows, top in sheets:
            sheet = writer.sheets[name]
            for index, (header, number_format, _value) in enumerate(columns, start=1):
                letter = get_column_letter(index)
                if number_format:
                    for line in range(top + 2, top + 2 + len(rows)):
                        sheet[f"{letter}{line}"].number_format = number_format
                width = max([len(str(header))] + [len(str(_value(row) or "")) for row in rows])
                sheet.column_dimensions[letter].width = min(60, max(10, width * 1.6 + 2))
            if not top:
                sheet.freeze_panes = "A2"
    return out.getvalue()
