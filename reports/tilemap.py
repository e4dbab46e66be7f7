"""A tile-grid map of China's 31 provinces: one equal square per province, placed roughly
where the province lies (the layout of Chinese data journalism). It raises no boundary
questions, which a map with real boundaries would (that one must follow the national
standard map), and plotly.js's basic bundle draws it offline: squares as layout shapes, a
scatter trace over them for the labels and the hover."""

import plotly.graph_objects as go
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from plotly.colors import sample_colorscale

from reports import formatting
from reports.charts import FONT, axis_format, plain

# GB/T 2260 code: (row from the top, column from the left, ISO 3166-2:CN letters: the tile's
# label in English). Neighbours stay neighbours: Beijing above Hebei beside Tianjin,
# Shanghai between Jiangsu and Zhejiang, Hainan below Guangxi and Guangdong.
TILES = {
    "23": (0, 7, "HL"),
    "15": (1, 4, "NM"),
    "11": (1, 5, "BJ"),
    "21": (1, 6, "LN"),
    "22": (1, 7, "JL"),
    "65": (2, 1, "XJ"),
    "62": (2, 2, "GS"),
    "64": (2, 3, "NX"),
    "14": (2, 4, "SX"),
    "13": (2, 5, "HE"),
    "12": (2, 6, "TJ"),
    "54": (3, 1, "XZ"),
    "63": (3, 2, "QH"),
    "61": (3, 3, "SN"),
    "41": (3, 4, "HA"),
    "37": (3, 5, "SD"),
    "51": (4, 2, "SC"),
    "50": (4, 3, "CQ"),
    "42": (4, 4, "HB"),
    "34": (4, 5, "AH"),
    "32": (4, 6, "JS"),
    "31": (4, 7, "SH"),
    "53": (5, 2, "YN"),
    "52": (5, 3, "GZ"),
    "43": (5, 4, "HN"),
    "36": (5, 5, "JX"),
    "33": (5, 6, "ZJ"),
    "45": (6, 3, "GX"),
    "44": (6, 4, "GD"),
    "35": (6, 5, "FJ"),
    "46": (7, 3, "HI"),
}
ROWS = 1 + max(row for row, _col, _abbr in TILES.values())
COLUMNS = 1 + max(col for _row, col, _abbr in TILES.values())
# plotly's "Blues" from its light end, not white: a tile of the lowest value stays a tile,
# and the colour bar shows exactly the colours of the tiles.
STEPS = [step / 10 for step in range(11)]
COLORSCALE = [
    [step, color]
    for step, color in zip(
        STEPS, sample_colorscale("Blues", [0.15 + 0.85 * step for step in STEPS]), strict=True
    )
]
NOT_SHOWN = "#d5d9de"  # a province whose figure is hidden or not reported: grey, "—"
HALF = 0.46  # half a tile's side, in grid units: a thin gap between tiles


def tile_label(province):
    """The tile's short name: "黑龙江" in Chinese, "HL" (ISO 3166-2:CN) in English, where
    "Heilongjiang" would not fit a tile."""
    if get_language() == "en":
        return TILES[province.code][2]
    return province.short_name_zh()


def tile_map(rows, metric, *, title):
    """The map of `metric`'s per-million density over the province table's `rows`
    (`reports.comparison.province_table`, as the viewer may see them: a hidden figure is
    None there and a grey "—" tile here, so the map discloses exactly what the table does).
    Each tile reads the short name and the density; its hover the name, count and density."""
    densities = [row[f"{metric}_per_million"] for row in rows]
    shown = [value for value in densities if value is not None]
    low, high = (min(shown), max(shown)) if shown else (0, 1)
    shapes, xs, ys, texts, hovers = [], [], [], [], []
    for row, value in zip(rows, densities, strict=True):
        province = row["province"]
        tile_row, column, _abbr = TILES[province.code]
        shapes.append(
            {
                "type": "rect",
                "x0": column - HALF,
                "x1": column + HALF,
                "y0": tile_row - HALF,
                "y1": tile_row + HALF,
                "line": {"width": 0},
                "fillcolor": NOT_SHOWN if value is None else _color(value, low, high),
                "layer": "below",
            }
        )
        xs.append(column)
        ys.append(tile_row)
        texts.append(f"{plain(tile_label(province))}<br>{formatting.density(value)}")
        hovers.append(
            [plain(province.name), formatting.number(row[metric]), formatting.density(value)]
        )
    tiles = go.Scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        text=texts,
        textfont={"size": 11, "color": [_ink(v, low, high) for v in densities]},
        # Invisible squares the size of a tile, so that the hover answers anywhere on it.
        marker={"symbol": "square", "size": 44, "opacity": 0},
        customdata=hovers,
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>"
            + _("count")
            + ": %{customdata[1]}<br>"
            + _("per million residents")
            + ": %{customdata[2]}<extra></extra>"
        ),
        showlegend=False,
    )
    # A colour bar for the scale: one invisible point per end of it.
    scale = go.Scatter(
        x=[None, None],
        y=[None, None],
        mode="markers",
        marker={
            "color": [low, high],
            "colorscale": COLORSCALE,
            "cmin": low,
            "cmax": high,
            "showscale": bool(shown),
            "colorbar": {
                "title": {"text": _("per million"), "side": "top"},
                "tickformat": axis_format(formatting.D3_DENSITY),
                "thickness": 12,
                "len": 0.6,
            },
        },
        hoverinfo="skip",
        showlegend=False,
    )
    layout = go.Layout(
        title={"text": plain(title), "x": 0, "font": {"size": 15}},
        template="none",
        font={"family": FONT, "size": 12},
        separators=".,",
        height=600,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        shapes=shapes,
        hovermode="closest",
        xaxis={
            "range": [-0.6, COLUMNS - 0.4],
            "visible": False,
            "fixedrange": True,
        },
        # Row 0 at the top; squares whatever the chart's width.
        yaxis={
            "range": [ROWS - 0.4, -0.6],
            "visible": False,
            "fixedrange": True,
            "scaleanchor": "x",
        },
    )
    return go.Figure([tiles, scale], layout)


def _share(value, low, high):
    return 0.0 if high == low else (value - low) / (high - low)


def _color(value, low, high):
    return sample_colorscale(COLORSCALE, [_share(value, low, high)])[0]


def _ink(value, low, high):
    """White on the dark tiles, dark on the light ones and on grey."""
    if value is None or _share(value, low, high) < 0.55:
        return "#1f2933"
    return "#ffffff"
