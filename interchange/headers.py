"""Which item each column of a file holds: its header names the item by code or by label.

A header is the item's code, or its label in Chinese or English as the data dictionary
writes it, compared by `spelling_key` (the unit in brackets may be left out). A file may have
title rows above its header: the header is the first row, within the first
`HEADER_SEARCH_ROWS`, in which the institution code's column is found and most filled cells
name a column; when the next row reads as a header too (a label row above a code row, as in a
template), the last of them is taken. When no row reads so, the header is the first row
naming the institution code's column, else the first in which most cells name a column, else
the fullest (the mapping step names the rest).
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from interchange.parsing import YEAR_COLUMN
from interchange.spelling import SpellingIndex
from survey.instrument import items as instrument

HEADER_SEARCH_ROWS = 10
YEAR_HEADERS = ("year", "Year", "Survey year", "年度", "调查年度")
LANGUAGES = ("zh-hans", "en")
# How a header was read: by the mapping given, as an item code, or as a label.
MAPPING, CODE, LABEL = "mapping", "code", "label"


@dataclass(frozen=True)
class Column:
    """A column of the file: its header as written and the item code it holds (None: the
    mapping ignores it)."""

    header: str
    code: str | None

    @property
    def name(self):
        """How errors name the column: as the file does, with the code when they differ."""
        return self.code if self.header == self.code else f"{self.header} ({self.code})"


@dataclass(frozen=True)
class HeaderProblem:
    column: str
    message: str


class ColumnMatcher:
    """Reads header cells as item codes (or "year"), by `mapping` first, then by spelling."""

    def __init__(self, mapping=None):
        self.mapping = {
            header.strip(): code and code.strip().lower()
            for header, code in (mapping or {}).items()
        }
        self.codes = {*instrument.item_codes(), YEAR_COLUMN}
        spellings = [(code, code) for code in self.codes]
        spellings += [(header, YEAR_COLUMN) for header in YEAR_HEADERS]
        for language in LANGUAGES:
            with translation.override(language):
                spellings += [(str(item.label), item.code) for item in instrument.items()]
        self.index = SpellingIndex(spellings)

    def codes_of(self, text):
        """The codes a header may mean (none, one, or several when ambiguous); None: ignored."""
        return self.reading(text)[0]

    def reading(self, text):
        """`codes_of(text)`, and how the header was read: MAPPING, CODE or LABEL."""
        text = text.strip()
        if text in self.mapping:
            code = self.mapping[text]
            return None if code is None else {code}, MAPPING
        if text.lower() in self.codes:
            return {text.lower()}, CODE
        return self.index.values(text), LABEL

    def read(self, header):
        """Column index -> `Column` (ignored ones too), and the header's problems."""
        columns, problems, first_of = {}, [], {}
        for index, raw in enumerate(header):
            text = raw.strip()
            if not text:
                if raw:
                    problems.append(HeaderProblem(f"#{index + 1}", _("the column has no name.")))
                continue
            codes = self.codes_of(text)
            if codes is None:
                columns[index] = Column(text, None)
            elif text in self.mapping and not codes <= self.codes:
                problems.append(
                    HeaderProblem(
                        text,
                        _("the mapping names %(code)s, which is not an item of the dictionary.")
                        % {"code": ", ".join(sorted(codes))},
                    )
                )
            elif not codes:
                problems.append(
                    HeaderProblem(
                        text,
                        _(
                            "unknown column: columns are named by the item codes of the data "
                            "dictionary or by their Chinese or English labels."
                        ),
                    )
                )
            elif len(codes) > 1:
                problems.append(
                    HeaderProblem(
                        text,
                        _("the header could mean any of the items %(codes)s: name it by its code.")
                        % {"codes": ", ".join(sorted(codes))},
                    )
                )
            else:
                column = Column(text, codes.pop())
                if column.code in first_of:
                    problems.append(
                        HeaderProblem(
                            column.name,
                            _("the column appears twice (also as “%(first)s”).")
                            % {"first": first_of[column.code]},
                        )
                    )
                else:
                    first_of[column.code] = text
                    columns[index] = column
        if "inst_code" not in first_of and not problems:
            problems.append(
                HeaderProblem(
                    "inst_code", _("the column is missing: every row needs an institution code.")
                )
            )
        return columns, problems

    def reads_as_header(self, cells):
        """Whether a row is a header: the institution code's column and mostly column names."""
        named = self.names(cells)
        return {"inst_code"} in named and self.mostly_names(cells)

    def mostly_names(self, cells):
        """Whether most filled cells of a row name a column (an item, or one the mapping
        ignores)."""
        named = self.names(cells)
        matched = [codes for codes in named if codes is None or len(codes) == 1]
        return 2 * len(matched) > len(named)

    def names(self, cells):
        """The codes each filled cell of a row may mean (None: a column the mapping ignores)."""
        return [self.codes_of(cell) for cell in cells if cell.strip()]


def find_header(matcher, header, rows):
    """The header's line and cells, and the rows after it: `header` is line 1, `rows` yields
    `(line, cells)`; at most `HEADER_SEARCH_ROWS` rows are read ahead to find it."""
    rows = iter(rows)
    read = [(1, header)]
    while not matcher.reads_as_header(read[-1][1]) and len(read) < HEADER_SEARCH_ROWS:
        if (row := next(rows, None)) is None:
            break
        read.append(row)
    if not matcher.reads_as_header(read[-1][1]):
        line = _likeliest_header(matcher, [cells for _line, cells in read])
        return *read[line], _chain(read[line + 1 :], rows)
    taken = read[-1]
    for row in rows:
        if not matcher.reads_as_header(row[1]):
            return *taken, _chain([row], rows)
        taken = row
    return *taken, iter(())


def _likeliest_header(matcher, rows):
    """The index of the row most like a header among `rows`, none of which reads as one: the
    first naming the institution code's column (among names no item has), else the first
    mostly naming columns, else the fullest (a title row has one cell)."""
    for index, cells in enumerate(rows):
        if {"inst_code"} in matcher.names(cells):
            return index
    for index, cells in enumerate(rows):
        if matcher.mostly_names(cells):
            return index
    return max(range(len(rows)), key=lambda index: sum(1 for cell in rows[index] if cell.strip()))


def _chain(first, rest):
    yield from first
    yield from rest
