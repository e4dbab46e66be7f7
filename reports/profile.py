"""An institution's own figures, year over year."""

from reports.metrics import metrics
from reports.panels import HEADLINE
from survey.instrument import items as instrument
from survey.instrument.items import COUNT, FLAG


def institution_profile(institution):
    """Its reports' values by year: {"years": [...], "rows": [{code, label, values}]}."""
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
        for report_values in values:
            reported = [report_values[p] for p in parts if report_values[p] is not None]
            row_values.append(sum(reported) if reported else None)
        rows.append({"code": code, "label": metrics()[code].label, "values": row_values})
    items = [
        {
            "code": item.code,
            "label": item.label,
            "section": item.section,
            "values": [report_values[item.code] for report_values in values],
        }
        for item in instrument.items()
        if item.kind in (COUNT, FLAG)
    ]
    return {"years": years, "reports": reports, "rows": rows, "items": items}
