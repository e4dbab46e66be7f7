"""The admin import's mapping step: the columns of a file, read before the file is checked.

A file not headed by item codes alone (labels, another system's names, title rows above the
header) is first read for its columns: how each header was read and the column's first
values. The admin confirms or corrects the item each column holds, or ignores the column; the
check and the import then read the file through that mapping (`headers.ColumnMatcher`). A
mapping saved under a name (`ColumnMapping`) is applied to the next file with the same headers,
for the admin to confirm again.
"""

from dataclasses import asdict, dataclass, field
from itertools import chain, islice

from interchange.headers import CODE, HEADER_SEARCH_ROWS, MAPPING, ColumnMatcher, find_header
from interchange.models import ColumnMapping

UNKNOWN = ""
# The first values shown of each column: the first few filled cells of the rows after the
# header, which are read no further than this.
SAMPLE_ROWS = 50
SAMPLES_PER_COLUMN = 3
SAMPLE_LENGTH = 40


@dataclass
class ColumnReading:
    """A column of the file as its header reads: the item codes it may mean (none when
    unknown or ignored, several when ambiguous), how it was read, its first values."""

    header: str
    codes: list[str]
    # headers.CODE, MAPPING (a saved mapping), LABEL, or UNKNOWN (a saved mapping's item the
    # dictionary no longer has)
    matched_by: str
    samples: list[str] = field(default_factory=list)
    # The header of an earlier column read as the same item.
    duplicate_of: str = ""

    @property
    def proposed(self):
        return self.codes[0] if len(self.codes) == 1 else None

    @property
    def ignored(self):
        """Whether the saved mapping ignores the column."""
        return self.matched_by == MAPPING and not self.codes

    @property
    def exact(self):
        """Headed by its item code, and the only column so headed: nothing to confirm."""
        return self.matched_by == CODE and not self.duplicate_of


@dataclass
class FileColumns:
    header_line: int
    columns: list[ColumnReading]
    saved_mapping: str = ""  # the name of the saved mapping applied, if any

    @property
    def all_exact(self):
        return all(column.exact for column in self.columns)

    @property
    def to_confirm(self):
        return [column for column in self.columns if not column.exact]

    @property
    def headed_by_code(self):
        return [column for column in self.columns if column.exact]

    def as_data(self):
        return asdict(self)

    @classmethod
    def from_data(cls, data):
        columns = [ColumnReading(**column) for column in data["columns"]]
        return cls(data["header_line"], columns, data["saved_mapping"])


def read_columns(header, rows):
    """The `FileColumns` of a table (`header` and `rows` as `files.open_table` gives them)."""
    ahead = [(1, header), *islice(rows, HEADER_SEARCH_ROWS - 1)]
    # A title row above the header matches no saved mapping.
    saved = ColumnMapping.objects.for_any_headers(cells for _line, cells in ahead)
    matcher = ColumnMatcher(saved.columns if saved else None)
    header_line, header, after = find_header(matcher, header, chain(ahead[1:], rows))
    samples = _samples(islice(after, SAMPLE_ROWS))
    columns, first_of = [], {}  # item code -> the first column read as that item
    for index, raw in enumerate(header):
        text = raw.strip()
        if not text:
            continue
        codes, matched_by = matcher.reading(text)
        codes = codes or set()
        if not codes <= matcher.codes:  # a saved mapping to an item no longer in the dictionary
            codes, matched_by = set(), UNKNOWN
        column = ColumnReading(text, sorted(codes), matched_by, samples.get(index, []))
        if column.proposed:
            first = first_of.setdefault(column.proposed, column)
            column.duplicate_of = "" if first is column else first.header
        columns.append(column)
    return FileColumns(header_line, columns, saved.name if saved else "")


def _samples(rows):
    """Column index -> the first filled values below the header."""
    samples = {}
    for _line, cells in rows:
        for index, cell in enumerate(cells):
            values = samples.setdefault(index, [])
            if cell.strip() and len(values) < SAMPLES_PER_COLUMN:
                values.append(_shortened(cell.strip()))
    return samples


def _shortened(text):
    return text if len(text) <= SAMPLE_LENGTH else text[: SAMPLE_LENGTH - 1] + "…"


def save_mapping(name, *, headers, columns, user):
    """Keep `columns` ({header: code or None}) under `name` for files with `headers`."""
    mapping, _created = ColumnMapping.objects.update_or_create(
        name=name.strip(),
        defaults={
            "headers": [header.strip() for header in headers if header.strip()],
            "columns": columns,
            "saved_by": user,
        },
    )
    return mapping
