"""The brief report written from the data, in the active language, for the nation or a province.

Its sentences follow the 2024 brief report, in its order: "There are 772 positron imaging units
nationwide, an increase of 80.8% (up from 427 in 2019)". They are written in
`templates/reports/brief.txt`; this module looks up and formats the figures they print, each with
the decimals the publication prints it with (`published-2023.csv`: 93.78% for the PET categories,
66% for the opinions, one decimal elsewhere), and lists the parts of a group as one list ("By
role: physicians 43.0%, technicians 28.5%, ...") under short labels: a part's own words, without
its group's name.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports import consistency, formatting, metrics, privacy
from reports.exporting import not_asked_in
from survey.instrument import items as instrument


@dataclass(frozen=True)
class Row:
    """A key figure of a section's table: its value, the baseline year's and the growth."""

    code: str
    label: str
    value: str
    baseline: str
    growth: str


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str]
    table: list[Row] = field(default_factory=list)


# The key figures of each section's table (the .docx prints them), in the template's order of
# sections: counts that have a baseline to grow from.
TABLES = (
    ("institutions", "inst_tertiary", "inst_public", "inst_svc_therapy", "inst_svc_pet"),
    (
        "eq_positron_total",
        "eq_pet_ct",
        "eq_pet_mri",
        "eq_single_photon_total",
        "eq_spect_ct",
        "eq_spect",
        "eq_organ_function_total",
        "eq_cyclotron",
        "eq_small_animal_total",
    ),
    ("exam_pet_total", "exam_petmri_total", "exam_sp_total", "exam_coin_total", "exam_sa_total"),
    ("inst_rp_single_photon", "inst_rp_positron"),
    ("inst_therapy", "therapy_beds", "tx_total"),
    ("inst_in_vitro", "iv_samples", "iv_tests"),
    ("staff_total",),
    (
        "edu_doctoral_supervisors",
        "edu_master_supervisors",
        "edu_doctoral_students",
        "edu_master_students",
    ),
    (),
)

# What separates a part's own words from its group's in a dictionary label: "Staff by role:
# physicians", "PET 或 PET/CT 年检查例数：肿瘤", "... units owned by the radiology department".
_GROUP_PREFIX = re.compile(r"^.*(?:: |：| owned by the |隶属)")
# Words a list under its group's heading need not repeat: "SPECT/CT units", "SPECT/CT（台）".
_REDUNDANT = re.compile(r"(?: units|（台）)$|^(?:Small-animal |小动物 ?)")


@cache
def _printed_digits():
    """{(metric, unit): decimals} as the 2024 brief report prints each figure."""
    return {
        (row["metric"], row["unit"]): consistency._decimals(row["value"])
        for row in consistency.read_published()
    }


def digits(code, unit="percent"):
    """The decimals of a share (or, with unit `growth_percent_vs_<year>`, a growth) of `code`:
    the publication's where it prints the figure, one otherwise."""
    return _printed_digits().get((code, unit), formatting.PERCENT_DIGITS)


def short_label(code):
    """A part's label without its group's: "physicians", "tumour", "radiology department"."""
    label = _GROUP_PREFIX.sub("", str(metrics.metrics()[code].label))
    # "Other organ function equipment" under "Organ function equipment" is just "other".
    group = next((g for g, parts in instrument.GROUPS.items() if code in parts), None)
    if group is not None:
        name = str(instrument.label(group))
        label = re.sub(re.escape(name), "", label, flags=re.IGNORECASE).strip() or label
    label = _REDUNDANT.sub("", label).strip()
    # A capital mid-sentence only where it belongs to the word ("SPECT/CT", not "Gamma cameras").
    if label[:1].isupper() and label[1:2].islower():
        label = label[0].lower() + label[1:]
    return label


def title(*, year, province=None):
    """The report's title, as the page, the text and the .docx print it."""
    if province is not None:
        return _("Nuclear medicine in %(name)s, %(year)s") % {"name": province.name, "year": year}
    return _("National survey of nuclear medicine, %(year)s") % {"year": year}


def listing(parts):
    """Parts as one list: "a 1.0%, b 2.0%"; "; " between parts whose own words hold commas."""
    comma = pgettext("list separator", ", ")
    if any(comma.strip() in part for part in parts):
        comma = pgettext("list separator between parts holding commas", "; ")
    return comma.join(parts)


class _Lookup:
    """`{{ value.eq_pet_ct }}` in the report's template: `figure(code)` by metric code."""

    def __init__(self, figure):
        self.figure = figure

    def __getitem__(self, code):
        return self.figure(code)


class _Writer:
    def __init__(self, comparison, year, baseline, province):
        self.c = comparison
        self.year = year
        self.baseline = baseline
        self.province = province
        self.values = {code: figure.value for code, figure in comparison.items()}

    def value(self, code):
        if not self.c[code].asked:
            return not_asked_in(self.year)
        return formatting.number(self.c[code].value)

    def share(self, code):
        if not self.c[code].asked:
            return not_asked_in(self.year)
        return formatting.percent(metrics.share_pct(self.values, code), digits(code))

    def _growth_unit(self):
        return f"growth_percent_vs_{self.baseline}"

    def growth(self, code):
        """The growth as "80.8%" (signed), "" without a baseline."""
        figure = self.c[code]
        if figure.growth_pct is None:
            return ""
        return formatting.percent(figure.growth_pct, digits(code, self._growth_unit()))

    def printed_otherwise(self, code):
        """The growth the 2024 brief report printed for `code` where the data (and its own
        printed counts) give another (8.0% for treatments, where 570,840 and 525,480 give 8.6%);
        None where it agrees or prints none."""
        figure = self.c[code]
        if self.province is not None or figure.growth_pct is None:
            return None
        rows = consistency.read_published()
        counts = {
            (row["metric"], row["year"]): row["value"] for row in rows if row["unit"] == "count"
        }
        # Only a report on the publication's own counts may say the publication differs.
        if (counts.get((code, str(self.year))), counts.get((code, str(self.baseline)))) != (
            str(figure.value),
            str(figure.baseline),
        ):
            return None
        for row in rows:
            if (row["metric"], row["year"], row["unit"]) == (
                code,
                str(self.year),
                self._growth_unit(),
            ):
                printed = consistency.PrintedFigure.from_row(row)
                if not printed.agrees_with(figure.growth_pct):
                    return printed.value
        return None

    def change(self, code):
        """ ", an increase of 80.8% (up from 427 in 2019)" or nothing without a baseline."""
        figure = self.c[code]
        if figure.growth_pct is None:
            return ""
        if figure.shared is not None:
            return self._change_over_shared(code, figure)
        words = {
            "growth": self.growth(code).lstrip("-").removesuffix("%"),
            "before": formatting.number(figure.baseline),
            "year": self.baseline,
        }
        printed = self.printed_otherwise(code)
        if printed is not None:
            words |= {"publication": consistency.BRIEF_REPORT_2024.title, "printed": printed}
            if figure.growth_pct >= 0:
                return (
                    _(
                        ", an increase of %(growth)s%% (up from %(before)s in %(year)s; the "
                        "%(publication)s printed %(printed)s%%)"
                    )
                    % words
                )
            return (
                _(
                    ", a decrease of %(growth)s%% (down from %(before)s in %(year)s; the "
                    "%(publication)s printed %(printed)s%%)"
                )
                % words
            )
        if figure.growth_pct >= 0:
            return _(", an increase of %(growth)s%% (up from %(before)s in %(year)s)") % words
        return _(", a decrease of %(growth)s%% (down from %(before)s in %(year)s)") % words

    def _change_over_shared(self, code, figure):
        """The growth over the items both years asked, which it must say: the two years' full
        totals are over different items."""
        words = {
            "growth": self.growth(code).lstrip("-").removesuffix("%"),
            "now": formatting.number(figure.shared.value),
            "before": formatting.number(figure.shared.baseline),
            "year": self.year,
            "baseline": self.baseline,
        }
        if figure.growth_pct >= 0:
            return (
                _(
                    ", an increase of %(growth)s%% over the items asked in both %(baseline)s and "
                    "%(year)s (%(now)s against %(before)s over those items)"
                )
                % words
            )
        return (
            _(
                ", a decrease of %(growth)s%% over the items asked in both %(baseline)s and "
                "%(year)s (%(now)s against %(before)s over those items)"
            )
            % words
        )

    def shares(self, group):
        """The parts of a group the year asked with their shares: 2023's treatments have no
        177Lu share."""
        parts = instrument.group_parts(group, self.year)
        return listing([f"{short_label(code)} {self.share(code)}" for code in parts])

    def counts(self, group):
        """The parts of a group the year asked with their counts: "SPECT/CT 686, SPECT 277"."""
        parts = instrument.group_parts(group, self.year)
        return listing([f"{short_label(code)} {self.value(code)}" for code in parts])

    def row(self, code):
        figure = self.c[code]
        return Row(
            code=code,
            label=str(metrics.metrics()[code].label),
            value=self.value(code),
            baseline=(
                ""
                if not self.baseline
                else formatting.number(figure.baseline)
                if figure.baseline_asked
                else not_asked_in(self.baseline)
            ),
            growth=self.growth(code) or ("—" if self.baseline else ""),
        )


def write(*, year, baseline=None, province=None, disclosure=privacy.FULL_ACCESS):
    """The brief report as sections of paragraphs (and each section's table of key figures),
    with what `disclosure` lets its reader see: the analyst's carries every figure, the
    public's prints "—" for a suppressed one."""
    comparison = privacy.compare(
        year=year,
        baseline=baseline,
        province=province.code if province else None,
        disclosure=disclosure,
    )
    comparison = privacy.apply(comparison, disclosure)
    w = _Writer(comparison, year, baseline, province)
    if province is not None:
        where = _("in %(province)s") % {"province": province.name}
    else:
        where = _("nationwide")
    text = render_to_string(
        "reports/brief.txt",
        {
            "year": year,
            "where": where,
            "value": _Lookup(w.value),
            "share": _Lookup(w.share),
            "change": _Lookup(w.change),
            "shares": _Lookup(w.shares),
            "counts": _Lookup(w.counts),
        },
    )
    blocks = [
        lines
        for block in re.split(r"\n\s*\n", text.strip())
        if (lines := [line.strip() for line in block.splitlines() if line.strip()])
    ]
    return [
        Section(lines[0], lines[1:], [w.row(code) for code in codes if code in comparison])
        for lines, codes in zip(blocks, TABLES, strict=True)
    ]


def as_text(sections, heading=""):
    """The report as plain text for download, under its title."""
    body = "\n\n".join(f"{section.title}\n" + "\n".join(section.paragraphs) for section in sections)
    return f"{heading}\n\n{body}\n" if heading else f"{body}\n"
