"""The codebook of a survey cycle: the data dictionary of the items that cycle asks, in the
form's order and in both languages, as CSV, XLSX or a blank form to print.

Everything but the rules comes from the instrument (`survey.instrument.items`), whose labels,
kinds and units are the dictionary's in both languages (tests/test_instrument.py). The rules
are the dictionary's own words and exist nowhere else as text: they are read from its latest
edition, which keeps every earlier item and whose new rules apply to every cycle (contract
README, "The next edition").
"""

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Province
from interchange.exporting import xlsx_cell
from interchange.files import bom_csv_writer
from survey.assessment import sections_asked
from survey.instrument import items as instrument
from survey.models import Cycle

DICTIONARY = Path(settings.BASE_DIR) / "fixtures" / "survey" / "data-dictionary-2028.csv"
CHINESE, ENGLISH = "zh-hans", "en"

# The columns of the CSV and of the XLSX's first sheet: the dictionary's names where it has
# the column, each text in Chinese and in English.
COLUMNS = (
    "section",
    "section_zh",
    "section_en",
    "code",
    "label_zh",
    "label_en",
    "kind",
    "unit_zh",
    "unit_en",
    "maximum",
    "choices",
    "sums_into",
    "rule",
    "rules_naming_it",
    "asked_from",
    "asked_until",
    "years_asked",
)
RULE_COLUMNS = ("rule", "items")


@cache
def dictionary_rules():
    """The rule of each item, by code, as the dictionary states it ("" when it has none)."""
    with DICTIONARY.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["rule"] for row in csv.DictReader(f)}


@dataclass(frozen=True)
class Choice:
    """A value an item accepts, with its label in both languages."""

    value: str
    label_zh: str
    label_en: str

    @property
    def label(self):
        """The label in the active language."""
        return self.label_en if translation.get_language() == ENGLISH else self.label_zh


@dataclass(frozen=True)
class Entry:
    """One item of a cycle's codebook."""

    item: instrument.Item
    section: instrument.Section
    rule: str
    # The rules of other items that name this one (or a group total it sums into):
    # (rule, the codes carrying it).
    rules_naming_it: tuple[tuple[str, tuple[str, ...]], ...]
    years: tuple[int, ...]

    @property
    def maximum(self):
        """The largest count or the longest text accepted, or None."""
        for validator in self.item.field.validators:
            if isinstance(validator, MaxValueValidator):
                return validator.limit_value
        return self.item.field.max_length

    @property
    def choices(self):
        return choices_of(self.item)

    @property
    def boxes_to_tick(self):
        """On paper, the choices to tick: a flag's or a choice's, but the province's (written in)."""
        return [] if self.item.field.is_relation else self.choices

    @property
    def is_long_text(self):
        """Free text that needs more than a line on paper."""
        return self.item.kind == instrument.TEXT and (self.maximum or 0) > 200


def choices_of(item):
    """The values a flag or a choice accepts (a list of `Choice`; empty for counts and text)."""
    if item.kind == instrument.FLAG:
        return [Choice("1", *_both(gettext_lazy("Yes"))), Choice("0", *_both(gettext_lazy("No")))]
    if item.kind != instrument.CHOICE:
        return []
    if item.field.is_relation:  # the province, a row of the registry
        return [Choice(p.code, p.name_zh, p.name_en) for p in Province.objects.order_by("code")]
    return [Choice(str(value), *_both(label)) for value, label in item.field.choices]


def _both(text):
    """A lazy translation as text in Chinese and in English."""
    result = []
    for language in (CHINESE, ENGLISH):
        with translation.override(language):
            result.append(str(text))
    return result


def cycle_years():
    """The survey years that have a cycle, oldest first."""
    return sorted(Cycle.objects.values_list("year", flat=True))


def cycles():
    """Every cycle, newest first, with the number of items it asks: [(Cycle, int)]."""
    return [
        (cycle, len(instrument.items_asked(cycle.year)))
        for cycle in Cycle.objects.order_by("-year")
    ]


def _names(code, rule):
    """Whether `rule` names the item `code`, itself or through a group total it sums into."""
    named = {code, *(total for total, parts in instrument.GROUPS.items() if code in parts)}
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", rule) for name in named)


def entries(year):
    """The items the cycle of `year` asks, in the form's order, as `Entry`s."""
    years = cycle_years()
    rules = dictionary_rules()
    asked = instrument.items_asked(year)
    carriers = {}  # rule -> the asked items stating it, in order
    for item in asked:
        if rules.get(item.code):
            carriers.setdefault(rules[item.code], []).append(item.code)
    return [
        Entry(
            item=item,
            section=instrument.SECTIONS_BY_KEY[item.section],
            rule=rules.get(item.code, ""),
            rules_naming_it=tuple(
                (rule, tuple(codes))
                for rule, codes in carriers.items()
                if item.code not in codes and _names(item.code, rule)
            ),
            years=tuple(y for y in years if item.asked_in(y)),
        )
        for item in asked
    ]


def sections(year):
    """The cycle's sections in order, each with its entries: [(Section, [Entry])]."""
    by_section = {}
    for entry in entries(year):
        by_section.setdefault(entry.section.key, []).append(entry)
    return [(section, by_section[section.key]) for section in sections_asked(year)]


def cycle_rules(year):
    """The rules of the cycle of `year`, each once: [(rule, the codes stating it)]."""
    carriers = {}
    for entry in entries(year):
        if entry.rule:
            carriers.setdefault(entry.rule, []).append(entry.item.code)
    return [(rule, tuple(codes)) for rule, codes in carriers.items()]


def _sums_into(code):
    return next((total for total, parts in instrument.GROUPS.items() if code in parts), "")


def row_of(entry):
    """The cells of one entry under `COLUMNS`."""
    item = entry.item
    section_zh, section_en = _both(entry.section.title)
    label_zh, label_en = _both(item.label)
    unit_zh, unit_en = _both(item.unit) if item.unit else ("", "")
    return [
        entry.section.key,
        section_zh,
        section_en,
        item.code,
        label_zh,
        label_en,
        item.kind,
        unit_zh,
        unit_en,
        "" if entry.maximum is None else entry.maximum,
        "; ".join(f"{c.value} = {c.label_zh} / {c.label_en}" for c in entry.choices),
        _sums_into(item.code),
        entry.rule,
        "\n".join(f"{rule} [{', '.join(codes)}]" for rule, codes in entry.rules_naming_it),
        item.asked_from or "",
        item.asked_until or "",
        ", ".join(map(str, entry.years)),
    ]


def rows(year):
    """The codebook of the cycle of `year`: one list of cells per item under `COLUMNS`."""
    return [row_of(entry) for entry in entries(year)]


def write_csv(year, stream):
    """The codebook as CSV (UTF-8 with BOM, so that Excel shows the Chinese) to a binary
    stream."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    writer = bom_csv_writer(text)
    writer.writerow(COLUMNS)
    writer.writerows(rows(year))
    text.detach()


# Column widths of the XLSX (in characters); the others are narrow codes or numbers.
WIDTHS = {
    "section_zh": 14,
    "section_en": 18,
    "code": 26,
    "label_zh": 40,
    "label_en": 60,
    "choices": 40,
    "sums_into": 22,
    "rule": 40,
    "rules_naming_it": 50,
    "years_asked": 18,
}


def write_xlsx(year, stream):
    """The codebook as XLSX: the items on the first sheet, the cycle's rules on the second,
    each with a bold, frozen header row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    append_codebook_sheets(workbook, year)
    workbook.save(stream)


def append_codebook_sheets(workbook, year):
    """Add the codebook's two sheets (items, rules) to `workbook`, write-only or not."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    tables = (
        (_("Items"), COLUMNS, rows(year)),
        (_("Rules"), RULE_COLUMNS, [[rule, ", ".join(codes)] for rule, codes in cycle_rules(year)]),
    )
    for title, columns, table in tables:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            width = WIDTHS.get(column, 12) if columns is COLUMNS else (90 if index == 1 else 60)
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for cells in table:
            row = [xlsx_cell(sheet, value, WriteOnlyCell) for value in cells]
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.append(row)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}
