"""The status report as a slide deck: a title slide and one slide per topic of the provincial
status report (the Sichuan report at the 2024 provincial congress), for a province or the
nation, in the active language.

Each topic slide has a table (the scope's figures in the year and the baseline, growth,
share or density; for a province its rank among the provinces and the national figures
beside it) and a native PowerPoint chart that the analyst can restyle and edit in
PowerPoint. Every figure comes from `reports.dashboard.build`, so it is what the viewer's
dashboard shows: a figure blanked by disclosure control is "—" in the table and has no bar,
and is written neither into the chart nor into the workbook embedded behind it.
"""

import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from reports import dashboard, formatting, metrics, privacy

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Chart kinds. YEARS: the scope's figure in the year beside the baseline's (counts of very
# different sizes across provinces compare best with themselves). SHARES: each figure as a
# share of its base (of the institutions, of the staff), the province beside the nation, or
# for the nation the year beside the baseline: a share compares across scopes.
YEARS, SHARES = "years", "shares"
# What the table's fifth column gives: units per million residents, or the share of the base.
PER_MILLION, SHARE = "per_million", "share"


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    rows: tuple[str, ...]  # metric codes of the table, in order
    chart: tuple[str, ...]  # metric codes of the chart's categories
    kind: str  # YEARS or SHARES
    measure: str  # PER_MILLION or SHARE


TOPICS = (
    Topic(
        "departments",
        gettext_lazy("Departments: institutions, tiers and services"),
        (
            "institutions",
            "inst_public",
            "inst_tertiary",
            "inst_tertiary_top",
            "inst_secondary",
            "inst_svc_single_photon",
            "inst_svc_pet",
            "inst_svc_therapy",
            "inst_svc_therapy_ward",
            "inst_svc_in_vitro",
        ),
        (
            "inst_public",
            "inst_tertiary",
            "inst_svc_single_photon",
            "inst_svc_pet",
            "inst_svc_therapy",
            "inst_svc_in_vitro",
        ),
        SHARES,
        SHARE,
    ),
    Topic(
        "equipment",
        gettext_lazy("Equipment"),
        (
            "eq_positron_total",
            "eq_pet_ct",
            "eq_pet_mri",
            "eq_single_photon_total",
            "eq_spect_ct",
            "eq_spect",
            "eq_organ_function_total",
            "eq_cyclotron",
            "inst_with_positron_equipment",
            "inst_with_cyclotron",
        ),
        ("eq_pet_ct", "eq_pet_mri", "eq_spect_ct", "eq_spect", "eq_cyclotron"),
        YEARS,
        PER_MILLION,
    ),
    Topic(
        "radiopharmaceuticals",
        gettext_lazy("Radiopharmaceuticals"),
        (
            "inst_rp_single_photon",
            "inst_rp_positron",
            "inst_rp_f18",
            "inst_rp_ga68",
            "inst_rp_c11",
            "inst_rp_n13",
            "inst_rp_lu177",
            "inst_rp_ac225",
        ),
        (
            "inst_rp_single_photon",
            "inst_rp_positron",
            "inst_rp_f18",
            "inst_rp_ga68",
            "inst_rp_lu177",
        ),
        SHARES,
        SHARE,
    ),
    Topic(
        "examinations",
        gettext_lazy("Equipment use: examinations"),
        (
            "exam_pet_total",
            "exam_petmri_total",
            "exam_sp_total",
            "exam_coin_total",
            "exam_sa_total",
            "exam_pet_tumor",
            "exam_pet_neuro",
            "exam_pet_cardio",
            "exam_sp_skeletal",
            "exam_sp_endocrine",
        ),
        ("exam_pet_total", "exam_petmri_total", "exam_sp_total", "exam_coin_total"),
        YEARS,
        PER_MILLION,
    ),
    Topic(
        "therapy",
        gettext_lazy("Radionuclide therapy"),
        (
            "inst_therapy",
            "therapy_beds",
            "tx_total",
            "tx_i131_graves",
            "tx_i131_thyroid",
            "tx_tc99_mdp",
            "tx_seed_implant",
            "tx_sr89_bone",
            "tx_sr90_y90_applicator",
        ),
        ("tx_i131_graves", "tx_i131_thyroid", "tx_tc99_mdp", "tx_seed_implant", "tx_sr89_bone"),
        YEARS,
        PER_MILLION,
    ),
    Topic(
        "in_vitro",
        gettext_lazy("In vitro analysis"),
        (
            "inst_svc_in_vitro",
            "inst_in_vitro",
            "iv_samples",
            "iv_tests",
            "inst_iv_internal_qc",
            "inst_iv_eqa_national",
            "inst_iv_eqa_provincial",
            "inst_iv_cnas_auditors",
        ),
        (
            "inst_iv_internal_qc",
            "inst_iv_eqa_national",
            "inst_iv_eqa_provincial",
            "inst_iv_cnas_auditors",
        ),
        SHARES,
        SHARE,
    ),
    Topic(
        "personnel",
        gettext_lazy("Personnel"),
        (
            "staff_total",
            "staff_physicians",
            "staff_technicians",
            "staff_nurses",
            "staff_chemists",
            "staff_physicists",
            "title_senior",
            "title_intermediate",
            "degree_postgraduate",
            "degree_undergraduate",
        ),
        (
            "staff_physicians",
            "staff_technicians",
            "staff_nurses",
            "staff_chemists",
            "staff_physicists",
            "staff_other",
        ),
        SHARES,
        PER_MILLION,
    ),
    Topic(
        "education",
        gettext_lazy("Education"),
        (
            "edu_doctoral_supervisors",
            "edu_master_supervisors",
            "edu_doctoral_students",
            "edu_master_students",
            "inst_edu_resident_base",
        ),
        (
            "edu_doctoral_supervisors",
            "edu_master_supervisors",
            "edu_doctoral_students",
            "edu_master_students",
        ),
        YEARS,
        PER_MILLION,
    ),
    Topic(
        "research",
        gettext_lazy("Research"),
        (
            "res_papers_sci",
            "res_papers_core",
            "res_grants_national",
            "res_grants_provincial",
            "res_clinical_trials",
        ),
        (
            "res_papers_sci",
            "res_papers_core",
            "res_grants_national",
            "res_grants_provincial",
            "res_clinical_trials",
        ),
        YEARS,
        PER_MILLION,
    ),
    Topic(
        "patents_awards",
        gettext_lazy("Patents and awards"),
        ("res_patents_applied", "res_patents_granted", "res_awards"),
        ("res_patents_applied", "res_patents_granted", "res_awards"),
        YEARS,
        PER_MILLION,
    ),
    Topic(
        "opinions",
        gettext_lazy("Opinions"),
        (
            "inst_op_lack_specialists",
            "inst_op_regional_economy",
            "inst_op_more_research_support",
            "inst_op_radiopharmaceutical_supply",
        ),
        (
            "inst_op_lack_specialists",
            "inst_op_regional_economy",
            "inst_op_more_research_support",
            "inst_op_radiopharmaceutical_supply",
        ),
        SHARES,
        SHARE,
    ),
)

# Noto Sans CJK SC has Latin and Chinese glyphs; PowerPoint takes East Asian text from the
# run's `a:ea` font, which python-pptx does not set (`font.name` is `a:latin` only).
FONT = "Noto Sans CJK SC"
INK, MUTED, CURRENT, BEFORE = (
    RGBColor(0x1F, 0x29, 0x33),
    RGBColor(0x52, 0x60, 0x6D),
    RGBColor(0x0B, 0x5C, 0xAD),
    RGBColor(0x9F, 0xB3, 0xC8),
)
HEADER_FILL = RGBColor(0xE4, 0xE7, 0xEB)
COUNT_FORMAT, PERCENT_FORMAT = "#,##0", '0.0"%"'
# 16:9, in inches; the table on the left, the chart on the right.
WIDTH, HEIGHT, MARGIN = 13.333, 7.5, 0.4
TABLE_WIDTH, CHART_LEFT = 8.7, 9.2
TABLE_TOP, NOTES_TOP = 1.45, HEIGHT - 0.9
TABLE_POINTS, HEADER_POINTS, CHART_POINTS = 10, 9, 9
# A chart's category label wraps after this many ems (LibreOffice does not wrap them).
CATEGORY_EMS = 11
# Flags that the public does not see a figure (entitled viewers), a growth over the items
# both years asked.
MARK_HIDDEN, MARK_SHARED = "*", "†"


@dataclass(frozen=True)
class Scope:
    """What one deck is about, as the viewer may see it: the scope's dashboard and, for a
    province, the nation's beside it."""

    name: str
    board: dashboard.Dashboard
    national: dashboard.Dashboard | None


def scope_for(user, *, year, baseline, province=None):
    """The deck's figures for `user`: the dashboards of the province (a Province, or None for
    the nation) and of the nation, through the disclosure control the pages use, ranks among
    the provinces as `user` sees them. A constant number of queries."""
    code = province.code if province else None

    def board(scope):
        return dashboard.for_viewer(
            user,
            year=year,
            baseline=baseline,
            province=scope,
            disclosure=privacy.disclosure_for(user, scope, year, baseline),
        )

    if code is None:
        return Scope(name=_("China"), board=board(None), national=None)
    return Scope(name=province.name, board=board(code), national=board(None))


def write(scope):
    """The deck of `scope` (a `Scope`) as .pptx bytes."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(WIDTH), Inches(HEIGHT)
    _title_slide(presentation, scope)
    rows, national_rows = _rows_by_code(scope.board), _rows_by_code(scope.national)
    for topic in TOPICS:
        _topic_slide(presentation, scope, topic, rows, national_rows)
    out = BytesIO()
    presentation.save(out)
    return out.getvalue()


def _rows_by_code(board):
    if board is None:
        return {}
    rows = {row.code: row for row in board.headline}
    rows |= {row.code: row for data in board.panels for row in data.rows}
    return rows


# --- Slides ----------------------------------------------------------------------------------


def _title_slide(presentation, scope):
    board = scope.board
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
    _text(
        slide,
        _("Nuclear medicine in %(scope)s: status report") % {"scope": scope.name},
        (MARGIN, 2.3, WIDTH - 2 * MARGIN, 1.2),
        size=36,
        bold=True,
    )
    lines = [_years_line(board)]
    lines.append(
        _("From the national nuclear medicine survey, generated on %(date)s.")
        % {"date": date.today().isoformat()}
    )
    if not board.entitled:
        lines.append(
            _(
                "Figures follow disclosure control: “—” is a figure not reported or not shown "
                "so that no hospital's figures can be told."
            )
        )
    _text(slide, "\n".join(lines), (MARGIN, 3.7, WIDTH - 2 * MARGIN, 1.8), size=18, color=MUTED)


def _years_line(board):
    if board.baseline:
        return _("Survey of %(year)s compared with %(baseline)s") % {
            "year": board.year,
            "baseline": board.baseline,
        }
    return _("Survey of %(year)s") % {"year": board.year}


def _topic_slide(presentation, scope, topic, rows, national_rows):
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    title = str(topic.title)
    _text(slide, title, (MARGIN, 0.25, WIDTH - 2 * MARGIN, 0.7), size=26, bold=True)
    _text(
        slide,
        f"{scope.name} · {_years_line(scope.board)}",
        (MARGIN, 0.9, WIDTH - 2 * MARGIN, 0.4),
        size=13,
        color=MUTED,
    )
    shown = [rows[code] for code in topic.rows if code in rows]
    header, body = _table(scope, topic, shown, national_rows)
    _add_table(slide, header, body, (MARGIN, TABLE_TOP, TABLE_WIDTH))
    _add_chart(slide, scope, topic, rows, national_rows)
    _text(
        slide,
        _notes(scope, shown),
        (MARGIN, NOTES_TOP, WIDTH - 2 * MARGIN, 0.6),
        size=10,
        color=MUTED,
    )


def _table(scope, topic, shown, national_rows):
    """The table's header and rows of text: every number through reports.formatting."""
    board = scope.board
    measure = _("share %") if topic.measure == SHARE else _("per million people")
    header = [_("Indicator"), str(board.year)]
    if board.baseline:
        header += [str(board.baseline), _("growth %")]
    header.append(measure)
    if scope.national is not None:
        header += [
            _("rank"),
            _("national %(year)s") % {"year": board.year},
            _("national %(measure)s") % {"measure": measure},
        ]
    body = []
    for row, label in zip(shown, _shortened([row.label for row in shown]), strict=True):
        line = [label, _value(row)]
        if board.baseline:
            line += [_baseline(row), _growth(row)]
        line.append(_measure(row, topic.measure))
        if scope.national is not None:
            national = national_rows.get(row.code)
            line += [
                _rank(row),
                _value(national) if national else formatting.NOT_REPORTED,
                _measure(national, topic.measure) if national else formatting.NOT_REPORTED,
            ]
        body.append(line)
    return header, body


def _notes(scope, shown):
    notes = [_("“—”: not reported or not shown.")]
    if scope.national is not None:
        notes.append(_("Rank: among the provinces whose figure is shown (1 = highest)."))
    if any(row.hidden_from_public for row in shown):
        notes.append(_("%(mark)s not shown to the public.") % {"mark": MARK_HIDDEN})
    if any(row.shared for row in shown):
        notes.append(
            _("%(mark)s growth over the items asked in both years.") % {"mark": MARK_SHARED}
        )
    return " ".join(notes)


# --- Cells -------------------------------------------------------------------------------------


def _shortened(labels):
    """`labels` without the dictionary's lead-in when they all share it ("Treatments in the
    year: 131I treatment of Graves hyperthyroidism" reads "131I treatment of ..." on the
    therapy slide); different lead-ins (PET's tumour beside single-photon's skeletal
    examinations) are kept, and so are "of which" ones."""
    split = [_lead_in(label) for label in labels]
    leads = {lead for lead, _rest in split if lead}
    if len(leads) != 1 or leads & {"其中", "Of which"}:
        return list(labels)
    return [rest[0].upper() + rest[1:] if lead else rest for lead, rest in split]


def _lead_in(label):
    for colon in ("：", ": "):
        lead, found, rest = label.partition(colon)
        if found and rest:
            return lead, rest
    return None, label


def _value(row):
    if not row.asked:
        return _("not asked")
    text = formatting.number(row.value)
    return f"{text}{MARK_HIDDEN}" if row.hidden_from_public and row.value is not None else text


def _baseline(row):
    return formatting.number(row.baseline) if row.baseline_asked else _("not asked")


def _growth(row):
    if row.growth_pct is None:
        return formatting.NOT_REPORTED
    sign = "+" if row.growth_pct > 0 else ""
    mark = MARK_SHARED if row.shared else ""
    return f"{sign}{formatting.percent(row.growth_pct)}{mark}"


def _measure(row, measure):
    if not row.asked:
        return ""
    if measure == SHARE:
        # A figure without a base (the institutions themselves) has no share: blank, not "—".
        return formatting.percent(row.share_pct) if row.base_label else ""
    return formatting.density(row.per_million)


def _rank(row):
    if row.rank is None:
        return formatting.NOT_REPORTED
    return f"{row.rank}/{row.ranked_among}"


# --- The chart ---------------------------------------------------------------------------------


def chart_series(scope, topic, rows, national_rows):
    """[(series name, [value or None per category])] of a topic's chart, and the categories:
    None where a figure is not asked, not reported or not shown (no bar, never 0)."""
    board = scope.board
    codes = [code for code in topic.chart if code in rows]
    if topic.kind == YEARS:
        series = [(str(board.year), [_current(rows[code]) for code in codes])]
        if board.baseline:
            series.append((str(board.baseline), [_before(rows[code]) for code in codes]))
    elif scope.national is not None:
        series = [
            (scope.name, [_share(rows, code, _current) for code in codes]),
            (_("National"), [_share(national_rows, code, _current) for code in codes]),
        ]
    else:
        series = [(str(board.year), [_share(rows, code, _current) for code in codes])]
        if board.baseline:
            series.append((str(board.baseline), [_share(rows, code, _before) for code in codes]))
    labels = _shortened([rows[code].label for code in codes])
    return [_wrapped(label) for label in labels], series


def _current(row):
    return row.value if row.asked else None


def _before(row):
    return row.baseline if row.baseline_asked else None


def _share(rows, code, figure):
    """`code`'s figure as a share of its base's (both of the same year), or None."""
    row = rows.get(code)
    base = rows.get(metrics.metrics()[code].base) if row else None
    if row is None or base is None:
        return None
    value, whole = figure(row), figure(base)
    if value is None or not whole:
        return None
    return round(100 * value / whole, formatting.PERCENT_DIGITS)


def _chart_title(scope, topic):
    if topic.kind == YEARS:
        return _("%(topic)s, %(scope)s") % {"topic": topic.title, "scope": scope.name}
    if scope.national is not None:
        return _("%(topic)s: shares, %(scope)s and national") % {
            "topic": topic.title,
            "scope": scope.name,
        }
    return _("%(topic)s: shares, %(scope)s") % {"topic": topic.title, "scope": scope.name}


def _add_chart(slide, scope, topic, rows, national_rows):
    categories, series = chart_series(scope, topic, rows, national_rows)
    number_format = COUNT_FORMAT if topic.kind == YEARS else PERCENT_FORMAT
    data = CategoryChartData(number_format=number_format)
    data.categories = categories
    for name, values in series:
        data.add_series(name, values)
    x, y = CHART_LEFT, TABLE_TOP - 0.1
    w, h = WIDTH - CHART_LEFT - MARGIN / 2, NOTES_TOP - y - 0.1
    chart = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, Inches(x), Inches(y), Inches(w), Inches(h), data
    ).chart
    _font(chart.font, size=CHART_POINTS)
    chart.has_title = True
    chart.chart_title.text_frame.text = _chart_title(scope, topic)
    _font(chart.chart_title.text_frame.paragraphs[0].runs[0].font, size=12, bold=True)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    # The first category on top, as in the table.
    chart.category_axis.reverse_order = True
    # The bars carry their values: a narrow chart's axis numbers would run into each other.
    chart.value_axis.visible = False
    chart.value_axis.has_major_gridlines = False
    chart.value_axis.minimum_scale = 0
    if topic.kind == SHARES:
        chart.value_axis.maximum_scale = 100
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = number_format, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    _font(labels.font, size=8)
    for index, colour in enumerate((CURRENT, BEFORE)[: len(series)]):
        fill = plot.series[index].format.fill
        fill.solid()
        fill.fore_color.rgb = colour


# --- Text --------------------------------------------------------------------------------------


def _font(font, *, size, bold=False, color=INK):
    font.size, font.bold = Pt(size), bold
    font.color.rgb = color
    font.name = FONT
    latin = font._rPr.find(qn("a:latin"))
    east_asian = font._rPr.find(qn("a:ea"))
    if east_asian is None:
        east_asian = font._rPr.makeelement(qn("a:ea"), {})
        latin.addnext(east_asian)
    east_asian.set("typeface", FONT)


def _text(slide, text, box, *, size, bold=False, color=INK):
    x, y, w, h = box
    frame = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h)).text_frame
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        _font(run.font, size=size, bold=bold, color=color)
    return frame


def _add_table(slide, header, body, box):
    """A table whose rows are as tall as their labels need: PowerPoint grows a row to fit
    its text, LibreOffice clips it, so the heights are estimated here."""
    x, y, w = box
    # The first column holds the labels, the others numbers of a few characters.
    label_width = 2.9 if len(header) > 5 else 4.2
    other = (w - label_width) / (len(header) - 1)
    widths = [label_width] + [other] * (len(header) - 1)
    lines = [header, *body]
    points = [HEADER_POINTS] + [TABLE_POINTS] * len(body)
    heights = [
        0.12
        + 0.19
        * max(_lines(text, width - 0.1, size) for text, width in zip(line, widths, strict=True))
        for line, size in zip(lines, points, strict=True)
    ]
    shape = slide.shapes.add_table(
        len(lines), len(header), Inches(x), Inches(y), Inches(w), Inches(sum(heights))
    )
    table = shape.table
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Inches(width)
    for r, line in enumerate(lines):
        table.rows[r].height = Inches(heights[r])
        for c, text in enumerate(line):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(0.05)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            if r == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = HEADER_FILL
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.LEFT if c == 0 else PP_ALIGN.RIGHT
            run = paragraph.add_run()
            run.text = text
            _font(run.font, size=points[r], bold=r == 0)
    return table


def _ems(text):
    """The width of `text` in ems: a Chinese character is one, a Latin letter about half."""
    return sum(1.0 if ord(char) >= 0x2E80 else 0.55 for char in text)


def _lines(text, inches, points):
    """How many lines `text` takes in a column `inches` wide at `points`."""
    per_line = inches * 72 / points
    return max(1, -(-int(_ems(text) * 100) // int(per_line * 100)))


def _wrapped(label, ems=CATEGORY_EMS):
    """`label` broken into lines of at most `ems`: Chinese anywhere, Latin at spaces."""
    tokens = re.findall(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+", label)
    lines, line = [], ""
    for token in tokens:
        if line and _ems(line + token) > ems and not token.isspace():
            lines.append(line.rstrip())
            line = ""
        if line or not token.isspace():
            line += token
    return "\n".join([*lines, line.rstrip()])
