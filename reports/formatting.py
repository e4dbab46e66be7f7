"""One number format for everything that leaves the platform: pages, documents, slides,
charts and downloads.

Counts carry thousands separators in both languages ("1,381,758", as the 2024 brief report
prints them in Chinese too); a share is printed with the decimals the publication uses for it
(`percent(value, 2)` for the PET categories, `percent(value, 0)` for the opinions); not
reported is "—". Machine-readable downloads round with `rounded` so that no float noise
("23.333333333333332") reaches a spreadsheet.
"""

NOT_REPORTED = "—"
# Decimals of a share or growth wherever a publication does not say otherwise.
PERCENT_DIGITS = 1
# Decimals of a per-million density.
DENSITY_DIGITS = 2
# Plotly's d3 formats with the same conventions, for hovers and axes (static/js/charts.js).
D3_COUNT = ",d"
D3_PERCENT = ",.1f"
D3_DENSITY = ",.2f"


def number(value, digits=0):
    """A count as "1,381,758" (a float with `digits` decimals), "—" when not reported."""
    if value is None:
        return NOT_REPORTED
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def percent(value, digits=PERCENT_DIGITS):
    """A share or growth as "80.8%", "—" when not reported."""
    return NOT_REPORTED if value is None else f"{value:,.{digits}f}%"


def density(value):
    """Units per million residents as "2.35"."""
    return number(value, DENSITY_DIGITS)


# Decimals of a computed share, growth or density in a machine-readable download: the finest
# the publications print (93.78%, -54.43%), so that rounding there loses nothing they state.
DOWNLOAD_DIGITS = 2


def rounded(value, digits=DOWNLOAD_DIGITS):
    """A computed float for a machine-readable download, without float noise; counts pass."""
    if isinstance(value, float):
        return round(value, digits)
    return value
