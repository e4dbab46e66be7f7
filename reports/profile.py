"""An institution's own figures, year over year."""

from django.utils.translation import gettext_lazy as _

from reports.metrics import metrics
from reports.panels import HEADLINE
from survey.instrument import items as instrument
from survey.instrument.items import COUNT, FLAG

# The profile's charts: an institution's 1 or 2 units beside its ~2,000 examinations on one
# axis would lie flat at 0, so equipment, activity and staff each have a chart (and scale).
CHARTS = (
    (
        "equipment",
        _("Equipment units by survey year"),
        ("eq_positron_total", "eq_single_photon_total", "eq_cyclotron"),
    ),
    (
        "activity",
        _("Examinations and treatments by survey year"),
        ("exam_pet_total", "exam_petmri_total", "exam_sp_total", "exam_coin_total", "tx_total"),
    ),
    ("staff", _("Staff by survey year"), ("staff_total",)),
)


def chart_series(profile):
    """[(key, title, [(label, values by year)])] of the profile's headline rows, one entry per
    chart of `CHARTS` that has a row."""
    rows = {row["code"]: row for row in profile["rows"]}
    charts = []
    for key, title, codes in CHARTS:
        series = [(rows[code]["label"], rows[code]["values"]) for code in codes if code in rows]
        if series:
            charts.append((key, title, series))
    return charts


def institution_profile(institution):
    """Its reports' values by year: {"years": [...], "rows": [{code, label, values,
    not_every_year (labels of the items behind it that not every year asked)}], "items":
    [{code, label, section, values, asked}]}, `asked` saying for each year whether its cycle
    asked the item (a value of None in a year that asked it is not reported). Items that none
    of its years asked are left out."""
    reports = list(institution.reports.order_by("cycle_id"))
    years = [report.cycle_id for report in reports]
    values = [report.item_values() for report in reports]
    rows = []
    # An institution's headline figures are the sums and items among the national ones.
    for code in HEADLINE:
        parts = instrument.GROUPS.get(code, (code,))
        if parts[0] not in instrument.items_by_code():
            continue
        row_values = []
        for year, report_values in zip(years, values, strict=True):
            asked = [p for p in parts if instrument.items_by_code()[p].asked_in(year)]
            reported = [report_values[p] for p in asked if report_values[p] is not None]
            row_values.append(sum(reported) if reported else None)
        # A total over items some of its years did not ask compares unlike with like: say so.
        not_every_year = [
            str(instrument.label(p))
            for p in parts
            if not all(instrument.items_by_code()[p].asked_in(year) for year in years)
        ]
        rows.append(
            {
                "code": code,
                "label": metrics()[code].label,
                "values": row_values,
                "not_every_year": not_every_year,
            }
        )
    items = []
    for item in instrument.items():
        asked = [item.asked_in(year) for year in years]
        if item.kind in (COUNT, FLAG) and any(asked):
            items.append(
                {
                    "code": item.code,
                    "label": item.label,
                    "section": item.section,
                    "values": [report_values[item.code] for report_values in values],
                    "asked": asked,
                    # (year, asked, value) for the page, which reads "not asked in <year>".
                    "cells": [
                        (year, was_asked, report_values[item.code])
                        for year, was_asked, report_values in zip(years, asked, values, strict=True)
                    ],
                }
            )
    return {"years": years, "reports": reports, "rows": rows, "items": items}
