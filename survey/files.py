"""Reading interchange files (CSV or XLSX) as rows of text cells, whatever their encoding.

A file is read as a stream: the encoding is settled by one pass over the bytes, then the rows
are produced one at a time, so a large file is never held in memory whole.
"""

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

CHUNK_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
# Tried in this order: GB18030 would also accept most UTF-8 bytes, as the wrong characters.
TEXT_ENCODINGS = ("utf-8", "gb18030")


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why, for the person who sent it."""


@dataclass
class Table:
    """A file's header and a generator of its rows as `(line number, cells)`.

    Line numbers are those a spreadsheet shows: the header is line 1.
    """

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    row_count_estimate: int | None
    encoding: str | None


def open_table(source, *, name="", max_bytes=None):
    """Open a path or a binary file object as a `Table`, or raise `FileRejected`."""
    stream = open(source, "rb") if isinstance(source, str | os.PathLike) else source  # noqa: SIM115
    name = name or str(getattr(stream, "name", ""))
    size = _size(stream)
    limit = max_bytes or settings.SURVEY_UPLOAD_MAX_BYTES
    if size == 0:
        raise FileRejected(_("The file is empty."))
    if size > limit:
        raise FileRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it by province.")
            % {"size": f"{size / 2**20:,.0f}", "limit": f"{limit / 2**20:,.0f}"}
        )
    start = stream.read(len(XLSX_MAGIC))
    stream.seek(0)
    if start == XLSX_MAGIC or name.lower().endswith(".xlsx"):
        return _open_xlsx(stream)
    return _open_csv(stream)


def _size(stream):
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _open_csv(stream):
    encoding, line_count = _detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected(_("The file is empty.")) from None
    except csv.Error as error:
        raise FileRejected(_("The file is not a readable CSV file (%s).") % error) from None

    def rows():
        try:
            yield from enumerate(reader, start=2)
        except csv.Error as error:
            raise FileRejected(
                _("Line %(line)s is not readable CSV (%(error)s).")
                % {"line": reader.line_num, "error": error}
            ) from None

    return Table(header, rows(), max(line_count - 1, 0), encoding)


def _detect_encoding(stream):
    """The file's text encoding (UTF-8 with or without BOM, else GB18030) and its line count.

    Reads the bytes once, decoding incrementally, so that a file is judged on all of it: a
    GB18030 file may look like UTF-8 for its first thousand lines of codes and digits.
    """
    first = stream.read(CHUNK_BYTES)
    if b"\x00" in first:
        raise FileRejected(
            _(
                "The file is not a CSV or XLSX file (it contains binary data). Save it as CSV or XLSX."
            )
        )
    if first.startswith(codecs.BOM_UTF8):
        stream.seek(0)
        return "utf-8-sig", _count_lines(stream)
    for encoding in TEXT_ENCODINGS:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            while chunk := stream.read(CHUNK_BYTES):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return encoding, lines + 1
    raise FileRejected(
        _(
            "The file's characters could not be read: it is neither UTF-8 nor GB18030/GBK text. "
            "Save it from Excel as CSV (UTF-8) or XLSX."
        )
    )


def _count_lines(stream):
    lines = 1
    while chunk := stream.read(CHUNK_BYTES):
        lines += chunk.count(b"\n")
    stream.seek(0)
    return lines


def _open_xlsx(stream):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook fails in any of openpyxl's layers
        raise _unreadable_xlsx(error) from None
    if not workbook.worksheets:
        raise FileRejected(_("The file is empty."))
    sheet = workbook.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(value) for value in next(cells)]
    except StopIteration:
        raise FileRejected(_("The file is empty.")) from None
    except Exception as error:  # the sheet is parsed lazily: its damage shows only here
        raise _unreadable_xlsx(error) from None

    def rows():
        try:
            for line, values in enumerate(cells, start=2):
                yield line, [_cell_text(value) for value in values]
        except Exception as error:
            raise _unreadable_xlsx(error) from None
        finally:
            workbook.close()

    try:
        count = sheet.max_row - 1 if sheet.max_row else None
    except Exception as error:
        raise _unreadable_xlsx(error) from None
    return Table(header, rows(), count, None)


def _unreadable_xlsx(error):
    return FileRejected(_("The file is not a readable XLSX workbook (%s).") % type(error).__name__)


def _cell_text(value):
    """A spreadsheet cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
