"""All provinces side by side: the headline figures and their densities per million people."""

from django.utils.translation import gettext as _

from departments.models import Province
from reports import metrics

COMPARED = (
    "institutions",
    "eq_positron_total",
    "eq_single_photon_total",
    "eq_cyclotron",
    "exam_pet_total",
    "exam_sp_total",
    "tx_total",
    "staff_total",
)


def as_table(table):
    """The comparison as (header, rows) for a download."""
    header = [_("province"), _("population (million)")]
    for code, label in table["columns"]:
        header += [f"{code}: {label}", f"{code}_per_million"]
    body = [
        [
            row["province"].code,
            row["population_millions"],
            *(cell for value, density in row["cells"] for cell in (value, density)),
        ]
        for row in table["rows"]
    ]
    return header, body


def province_table(*, year, hidden=lambda province_code: frozenset()):
    """One row per province: each compared figure and its value per million residents.

    `hidden(code)` gives the metrics of that province blanked for this viewer.
    """
    by_province = metrics.figures_by_province(year=year)
    definitions = metrics.metrics()
    rows = []
    for province in Province.objects.all():
        figures = by_province.get(province.code, {})
        blanked = hidden(province.code)
        row = {"province": province, "population_millions": province.population_millions}
        for code in COMPARED:
            figure = figures.get(code)
            value = figure.value if figure and code not in blanked else None
            row[code] = value
            row[f"{code}_per_million"] = metrics.per_million(value, province.population_millions)
        row["cells"] = [(row[code], row[f"{code}_per_million"]) for code in COMPARED]
        rows.append(row)
    return {
        "columns": [(code, definitions[code].label) for code in COMPARED],
        "rows": rows,
        "rows_by_density": sorted(
            rows, key=lambda row: row["eq_positron_total_per_million"] or 0, reverse=True
        ),
    }
