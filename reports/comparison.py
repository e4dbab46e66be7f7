"""All provinces side by side: the headline figures and their densities per million people."""

from departments.models import Province
from reports import metrics
from reports.formatting import DENSITY_DIGITS, rounded

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
    """The comparison as (header, rows) for a download: fixed column names (metric codes)
    whatever the language, the province's code and its name in the active language."""
    header = ["province", "province_name", "population_millions"]
    for code, _label in table["columns"]:
        header += [code, f"{code}_per_million"]
    body = [
        [
            row["province"].code,
            row["province"].name,
            rounded(row["population_millions"], 2),
            *(
                cell
                for value, density, _marked in row["cells"]
                for cell in (value, rounded(density, DENSITY_DIGITS))
            ),
        ]
        for row in table["rows"]
    ]
    return header, body


def province_table(*, year, values=None, marked=lambda province_code: frozenset()):
    """One row per province: each compared figure and its value per million residents.

    `values` ({province: {code: value}}) are the figures as the viewer sees them
    (`reports.privacy.province_values`), by default every report's; `marked(code)` gives the
    codes of that province to mark as hidden from the public.
    """
    if values is None:
        values = {
            code: {metric: figure.value for metric, figure in figures.items()}
            for code, figures in metrics.figures_by_province(year=year).items()
        }
    definitions = metrics.metrics()
    rows = []
    for province in Province.objects.all():
        figures = values.get(province.code, {})
        hidden_from_public = marked(province.code)
        row = {"province": province, "population_millions": province.population_millions}
        for code in COMPARED:
            value = figures.get(code)
            row[code] = value
            row[f"{code}_per_million"] = metrics.per_million(value, province.population_millions)
        row["cells"] = [
            (row[code], row[f"{code}_per_million"], code in hidden_from_public) for code in COMPARED
        ]
        rows.append(row)
    return {
        "columns": [(code, definitions[code].label) for code in COMPARED],
        "rows": rows,
        "rows_by_density": sorted(
            rows, key=lambda row: row["eq_positron_total_per_million"] or 0, reverse=True
        ),
    }
