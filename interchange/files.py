"""Reading interchange files (CSV or XLSX) as rows of text cells, or refusing them whole.

A file is read as a stream: the encoding is settled by one pass over the bytes, then the rows
are produced one at a time, so a large file is never held in memory whole. The work done is
bounded by what the file really holds, never by what it declares: a workbook's declared size,
its compressed parts and its longest texts are checked before it is opened.

Survey files and the society's contact lists (`accounts.services`) are read by this one reader;
a problem in either is placed by `at_cell` ("line N, column X"); every CSV written for Excel
(exports, the dashboards' downloads) starts with the byte-order mark of `bom_csv_writer`.
"""

import codecs
import csv
import io
import itertools
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _

CHUNK_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
# A row of the whole instrument is a few kilobytes; a longer line is not a survey file, and
# holding it would cost memory for nothing.
MAX_LINE_BYTES = 1 << 20
NON_ASCII = re.compile(rb"[\x80-\xff]")
# Workbooks: what a real survey file needs, with a wide margin. A part that unpacks to more than
# MAX_RATIO times its packed size is a "zip bomb" (real sheets pack about 14 times, even when
# empty); the shared strings are held in memory whole (openpyxl), the sheet is streamed; no
# text between two XML tags may exceed MAX_XML_RUN_BYTES (Excel's limit is 32,767 characters).
MAX_UNPACKED_BYTES = 2 << 30
MAX_SHARED_STRINGS_BYTES = 32 << 20
# Every other XML part that openpyxl parses whole (styles, workbook, theme, relationships,
# content types, properties): a real one is a few hundred kilobytes at most.
MAX_WHOLE_PART_BYTES = 8 << 20
MAX_RATIO = 100
MAX_XML_RUN_BYTES = 1 << 20
MAX_CELL_CHARS = 32_767
# The data dictionary has some 130 columns: a header of more is not a survey file, and every
# row would cost that many cells.
MAX_COLUMNS = 512
# Text that is not UTF-8 or GB18030 but is told by its byte-order mark (Excel's "Unicode text").
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


class UnreadableCell(str):
    """A spreadsheet cell whose value cannot be read (a formula never calculated, an error
    value): blank as text, with the reason to give whatever its column."""

    def __new__(cls, problem):
        cell = super().__new__(cls, "")
        cell.problem = problem
        return cell


def at_cell(line, column, message):
    """`message` prefixed with where its person finds it: "line N, column X: ..."."""
    return _("line %(line)s, column %(column)s: %(message)s") % {
        "line": line,
        "column": column,
        "message": message,
    }


def bom_csv_writer(text, **options):
    """A `csv.writer` on the text stream `text`, after writing it a byte-order mark: without
    one, Excel reads UTF-8 as the local code page and garbles the Chinese."""
    text.write("\ufeff")
    return csv.writer(text, **options)


@dataclass
class ReadStats:
    """What reading has cost so far: rows and cells actually read from the file."""

    rows: int = 0
    cells: int = 0


@dataclass
class Table:
    """A file's header and a generator of its rows as `(line number, cells)`.

    Line numbers are those a spreadsheet shows: the header is line 1.
    """

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    row_count_estimate: int | None
    encoding: str | None
    stats: ReadStats = field(default_factory=ReadStats)


class BoundedUploadHandler(FileUploadHandler):
    """Refuses a multipart body larger than its sender may upload, before reading any of it.

    Staff may send a file for the admin's import (up to its limit); anyone else only form
    fields (up to DATA_UPLOAD_MAX_MEMORY_SIZE). Django answers the refusal with a 400.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        user = getattr(self.request, "user", None)
        limit = (
            settings.SURVEY_ADMIN_IMPORT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if user is not None and user.is_staff
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if content_length > limit:
            raise RequestDataTooBig("The request body exceeds what this user may upload.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def open_table(source, *, name="", max_bytes=None, header_search_rows=1):
    """Open a path or a binary file object as a `Table`, or raise `FileRejected`.

    `header_search_rows`: how many first rows may hold the header (below title rows). A CSV
    row holds all its cells anyway; a workbook's rows keep the columns named in any of them.
    """
    stream = open(source, "rb") if isinstance(source, str | os.PathLike) else source  # noqa: SIM115
    name = name or str(getattr(stream, "name", ""))
    size = _size(stream)
    limit = max_bytes or settings.SURVEY_UPLOAD_MAX_BYTES
    if size == 0:
        raise FileRejected(_("The file is empty."))
    if size > limit:
        raise FileRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it by province.")
            % {"size": f"{size / 2**20:,.1f}", "limit": f"{limit / 2**20:,.0f}"}
        )
    start = stream.read(len(XLSX_MAGIC))
    stream.seek(0)
    if start == XLSX_MAGIC or name.lower().endswith(".xlsx"):
        return _open_xlsx(stream, header_search_rows)
    return _open_csv(stream)


def _size(stream):
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _too_many_columns(count):
    return FileRejected(
        _(
            "Line 1 names %(count)s columns; a survey file has at most %(limit)s (the data "
            "dictionary's items). Delete the columns that are not items, and any stray cell "
            "far to the right of the header."
        )
        % {"count": count, "limit": MAX_COLUMNS}
    )


def _blank_first_line():
    return FileRejected(
        _("Line 1 is blank: the first line must name the columns (inst_code, province, ...).")
    )


# --- CSV ---------------------------------------------------------------------------------


def _open_csv(stream):
    encoding, line_count = _detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    lines = _Lines(text)
    # strict: an unclosed quote is an error, not the rest of the file read into one cell.
    reader = csv.reader(lines, strict=True)
    stats = ReadStats()
    header = _next_record(reader, lines, [], 1)
    if header is None:
        raise FileRejected(_("The file is empty."))
    if not any(cell.strip() for cell in header):
        raise _blank_first_line()
    if len(header) > MAX_COLUMNS:
        raise _too_many_columns(f"{len(header):,}")

    def rows():
        for number in itertools.count(2):
            cells = _next_record(reader, lines, header, number)
            if cells is None:
                return
            stats.rows += 1
            stats.cells += len(cells)
            yield number, cells

    return Table(header, rows(), max(line_count - 1, 0), encoding, stats)


class _Lines:
    """The file's lines for the csv reader, keeping the first line of the record being read
    (to say where an unclosed quote opened)."""

    def __init__(self, text):
        self.text = text
        self.record_first_line = None

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self.text)
        if self.record_first_line is None:
            self.record_first_line = line
        return line


def _next_record(reader, lines, header, number):
    """The next record's cells, None at the end; raises `FileRejected` for broken quoting."""
    lines.record_first_line = None
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        column = _unclosed_quote_column(lines.record_first_line or "")
        if column is None:
            raise FileRejected(
                _("Line %(line)s is not readable CSV (%(error)s).")
                % {"line": number, "error": error}
            ) from None
        raise FileRejected(
            _(
                "Line %(line)s, column %(column)s: a quoted cell opens here and is never "
                "closed, so the lines after it would be read into it. Close the quote (write "
                '"" for a quote inside a cell).'
            )
            % {
                "line": number,
                "column": header[column] if column < len(header) else f"#{column + 1}",
            }
        ) from None


def _unclosed_quote_column(line):
    """The index of the cell whose quote `line` leaves open, or None."""
    column, quoted, opened_in = 0, False, None
    for char in line:
        if char == '"':
            quoted = not quoted
            opened_in = column
        elif char == "," and not quoted:
            column += 1
    return opened_in if quoted else None


def _detect_encoding(stream):
    """The file's text encoding (UTF-8 with or without BOM, else GB18030) and its line count.

    Judged line by line over the whole file, reading it once: a file is UTF-8 when every line
    is; GB18030 when no line is UTF-8 text beyond ASCII and every line decodes as GB18030.
    A file mixing both (a GBK row pasted into a UTF-8 file) is refused at the first line that
    is not UTF-8: decoding it whole either way would garble one part or the other.
    """
    first = stream.read(CHUNK_BYTES)
    stream.seek(0)
    if _looks_like_utf16_or_32(first):
        raise FileRejected(
            _(
                "The file is UTF-16 or UTF-32 text (Excel's “Unicode text”). Save it as "
                "“CSV UTF-8 (comma delimited)” or as XLSX."
            )
        )
    if b"\x00" in first:
        raise FileRejected(
            _(
                "The file is not a CSV or XLSX file (it contains binary data). Save it as CSV or XLSX."
            )
        )
    scan = _EncodingScan()
    carry, line = b"", 1
    while chunk := stream.read(CHUNK_BYTES):
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        if len(data) - cut > MAX_LINE_BYTES:
            raise FileRejected(
                _("Line %(line)s is longer than %(limit)s MB: this is not a survey file.")
                % {"line": line + data.count(b"\n", 0, cut), "limit": MAX_LINE_BYTES >> 20}
            )
        scan.block(data[:cut], line)
        line += data.count(b"\n", 0, cut)
        carry = data[cut:]
    scan.block(carry, line)
    stream.seek(0)
    # A last line without its line break is a line too.
    lines = line if carry else line - 1
    return scan.encoding(bom=first.startswith(codecs.BOM_UTF8)), lines


def _looks_like_utf16_or_32(data):
    """A byte-order mark of UTF-16/32, or ASCII text with a zero byte beside each character."""
    if data.startswith(UTF32_BOMS + UTF16_BOMS):
        return True
    sample = data[:64] if len(data) >= 64 else data[: len(data) - len(data) % 2]
    if len(sample) < 4:
        return False
    for zeros, text in ((sample[0::2], sample[1::2]), (sample[1::2], sample[0::2])):
        if not zeros.strip(b"\x00") and text.isascii() and b"\x00" not in text.strip(b"\x00"):
            return True
    return False


class _EncodingScan:
    """Notes the first line of each kind: UTF-8 beyond ASCII, not UTF-8, not GB18030."""

    def __init__(self):
        self.first_utf8 = self.first_not_utf8 = self.first_not_gb18030 = None

    def block(self, data, first_line):
        """Scan whole lines `data`, the first of them numbered `first_line`."""
        if data.isascii():
            return
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            for number, line in enumerate(data.split(b"\n"), start=first_line):
                self._line(line, number)
            return
        if self.first_utf8 is None:
            self.first_utf8 = first_line + data.count(b"\n", 0, NON_ASCII.search(data).start())

    def _line(self, line, number):
        if line.isascii():
            return
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            if self.first_not_utf8 is None:
                self.first_not_utf8 = number
            if self.first_not_gb18030 is None:
                try:
                    line.decode("gb18030")
                except UnicodeDecodeError:
                    self.first_not_gb18030 = number
        else:
            if self.first_utf8 is None:
                self.first_utf8 = number

    def encoding(self, *, bom):
        if self.first_not_utf8 is None:
            return "utf-8-sig" if bom else "utf-8"
        if bom or self.first_utf8 is not None:
            raise FileRejected(
                _(
                    "Line %(line)s is not UTF-8, but the rest of the file is (line %(utf8)s has "
                    "UTF-8 text): the file mixes two encodings, and reading it either way would "
                    "garble part of it. Correct that line, or save the whole file again as CSV "
                    "UTF-8."
                )
                % {"line": self.first_not_utf8, "utf8": self.first_utf8 or 1}
            )
        if self.first_not_gb18030 is not None:
            raise FileRejected(
                _(
                    "The file's characters could not be read: line %(line)s is neither UTF-8 nor "
                    "GB18030/GBK text. Save it from Excel as CSV (UTF-8) or XLSX."
                )
                % {"line": self.first_not_gb18030}
            )
        return "gb18030"


# --- XLSX --------------------------------------------------------------------------------


def _open_xlsx(stream, header_search_rows):
    from openpyxl import load_workbook

    _check_archive(stream)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook fails in any of openpyxl's layers
        raise _unreadable_xlsx(error) from None
    if not workbook.worksheets:
        raise FileRejected(_("The file is empty."))
    stats = ReadStats()
    try:
        cells = _sheet_rows(workbook, workbook.worksheets[0], stats)
        first_rows = list(itertools.islice(cells, header_search_rows))
    except Exception as error:  # the sheet is parsed lazily: its damage shows only here
        workbook.close()
        raise _unreadable_xlsx(error) from None
    if not first_rows:
        workbook.close()
        raise FileRejected(_("The file is empty."))
    # Only the columns the header names are kept, by their position in the sheet: a header
    # cell in column XFD costs one column, not 16,384, and a cell under no named column is
    # one marker (the importer reports it), whatever its column. While the header may be any
    # of the first rows, a column named in any of them is kept.
    named = set()
    for _line, row_cells in first_rows:
        for cell in row_cells:
            text = _cell_text(cell)
            if text != "" or isinstance(text, UnreadableCell):
                named.add(cell["column"])
                if len(named) > MAX_COLUMNS:
                    workbook.close()
                    raise _too_many_columns(_("more than %s") % MAX_COLUMNS)
    line, header_cells = first_rows[0]
    positions = {column: index for index, column in enumerate(sorted(named))}
    header = _row_texts(header_cells, positions)
    if line != 1 or not any(text.strip() for text in header):
        workbook.close()
        raise _blank_first_line()

    def rows():
        try:
            for number, row_cells in itertools.chain(first_rows[1:], cells):
                yield number, _row_texts(row_cells, positions)
        except FileRejected:
            raise
        except Exception as error:
            raise _unreadable_xlsx(error) from None
        finally:
            workbook.close()

    # The sheet's declared dimension is not trusted, not even for a progress bar.
    return Table(header, rows(), None, None, stats)


def _check_archive(stream):
    """Refuse a workbook whose parts would unpack to far more than any survey file holds."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _unreadable_xlsx(error) from None
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        raise _too_large_xlsx(total)
    for member in members:
        packed = max(member.compress_size, 1)
        if member.file_size > (1 << 20) and member.file_size / packed > MAX_RATIO:
            raise FileRejected(
                _(
                    "The workbook's part %(part)s unpacks %(ratio)s times (to %(size)s MB): this "
                    "is not a survey file. Save the data again from Excel or WPS."
                )
                % {
                    "part": member.filename,
                    "ratio": f"{member.file_size / packed:,.0f}",
                    "size": f"{member.file_size / 2**20:,.0f}",
                }
            )
        if (
            member.filename.lower().endswith("sharedstrings.xml")
            and member.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise _too_large_xlsx(member.file_size)
        if _parsed_whole(member.filename) and member.file_size > MAX_WHOLE_PART_BYTES:
            raise FileRejected(
                _(
                    "The workbook's part %(part)s unpacks to %(size)s MB; in a survey file it "
                    "is a few kilobytes (at most %(limit)s MB). Save the data again from Excel "
                    "or WPS, or as CSV."
                )
                % {
                    "part": member.filename,
                    "size": f"{member.file_size / 2**20:,.1f}",
                    "limit": MAX_WHOLE_PART_BYTES >> 20,
                }
            )
    for member in members:
        if member.filename.lower().endswith(".xml") and member.file_size > MAX_XML_RUN_BYTES:
            _check_text_runs(archive, member)
    stream.seek(0)


def _parsed_whole(name):
    """Whether openpyxl parses the part `name` whole: every XML part but the worksheets (read
    as a stream) and the shared strings (their own limit)."""
    name = name.lower()
    if name.startswith("xl/worksheets/") and not name.startswith("xl/worksheets/_rels/"):
        return False
    if name.endswith("sharedstrings.xml"):
        return False
    return name.endswith((".xml", ".rels", ".vml"))


def _check_text_runs(archive, member):
    """Refuse a part holding one text longer than any cell may be (it would be held whole)."""
    run = longest = 0
    try:
        with archive.open(member) as part:
            while longest <= MAX_XML_RUN_BYTES and (chunk := part.read(CHUNK_BYTES)):
                pieces = chunk.split(b"<")
                run += len(pieces[0])
                if len(pieces) > 1:  # the runs between two "<" of this chunk are whole
                    longest = max(longest, run, *map(len, pieces[1:-1]))
                    run = len(pieces[-1])
                longest = max(longest, run)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
        raise _unreadable_xlsx(error) from None
    if longest > MAX_XML_RUN_BYTES:
        raise FileRejected(
            _(
                "The workbook holds a text of more than %(limit)s MB in %(part)s: no survey cell "
                "is that long. Save the data again from Excel or WPS."
            )
            % {"limit": MAX_XML_RUN_BYTES >> 20, "part": member.filename}
        )


def _too_large_xlsx(size):
    return FileRejected(
        _(
            "The workbook unpacks to %(size)s MB, far more than a survey file: split it by "
            "province, or save it as CSV."
        )
        % {"size": f"{size / 2**20:,.0f}"}
    )


def _sheet_rows(workbook, sheet, stats):
    """`(row number, cell dicts)` for each row the sheet's XML holds, nothing more.

    openpyxl's own read-only rows are padded to the sheet's declared dimension (a 5 KB file
    may declare 17 billion cells) and cannot tell a formula never calculated from a blank:
    this reads the same XML with openpyxl's parser (private in openpyxl 3.1) instead.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class CellParser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            stats.cells += 1
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["data_type"] = "uncalculated"
            return cell

    with sheet._get_source() as source:
        parser = CellParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, row in parser.parse():
            stats.rows += 1
            yield number, row


def _row_texts(row_cells, positions):
    """A row's cells as texts under the header's named columns (`positions`: sheet column ->
    index in the row).

    Cells under no named column are not kept, only whether any holds something (one extra
    cell, which the importer reports): a row of 16,384 columns costs no more than a short one.
    """
    texts = [""] * len(positions)
    elsewhere = False
    for cell in row_cells:
        index = positions.get(cell["column"])
        if index is None:
            elsewhere = elsewhere or _cell_text(cell).strip() != ""
        else:
            texts[index] = _cell_text(cell)
    return [*texts, "x"] if elsewhere else texts


def _unreadable_xlsx(error):
    return FileRejected(_("The file is not a readable XLSX workbook (%s).") % type(error).__name__)


def _cell_text(cell):
    """A spreadsheet cell as the text a CSV file saved by Excel would hold."""
    from openpyxl.utils import get_column_letter

    value, kind = cell["value"], cell["data_type"]
    reference = f"{get_column_letter(cell['column'])}{cell['row']}"
    if kind == "uncalculated":
        return UnreadableCell(
            _(
                "cell %s holds a formula whose value was never calculated and saved: open the "
                "file in Excel or WPS and save it again, or paste the values instead."
            )
            % reference
        )
    if kind == "e":
        return UnreadableCell(
            _("cell %(cell)s holds the error %(value)s.") % {"cell": reference, "value": value}
        )
    if value is None:
        return ""
    if isinstance(value, bool):
        # As Excel writes it to CSV: a yes/no column reads it, a count column refuses it.
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        from openpyxl.utils.escape import unescape

        # Excel writes a character XML cannot hold as _xHHHH_ (a carriage return as _x000D_,
        # Word's vertical tab as _x000B_): read it as that character, which the text rule
        # then keeps (line breaks) or refuses (controls). A literal "_x" is _x005F_x.
        value = unescape(value)
    text = str(value)
    if len(text) > MAX_CELL_CHARS:
        return UnreadableCell(
            _("cell %(cell)s holds %(length)s characters, more than a spreadsheet cell may.")
            % {"cell": reference, "length": f"{len(text):,}"}
        )
    return text
