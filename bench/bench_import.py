"""Import benchmark: a national file (1,237 institutions), one a hundred times larger, and
the files built to cost (bombs), which must be refused fast and in little memory.

    .venv/bin/python bench/bench_import.py [--sizes 1237 123700] [--bombs-only]

Runs `manage.py import_survey` on PostgreSQL (scratch database `nmsurvey_bench`, dropped and
recreated), timing each run from process start and reading its peak memory.
For reference, the time of PostgreSQL's `COPY` of the same file into one wide table, and the
ratio of the import to it. Goals: 1,237 rows under 3 s; 123,700 rows under 120 s and 1 GB; each bomb under 30 s and
300 MB.
"""

import argparse
import csv
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATABASE, ROOT, SERVER, fresh_database, manage, run_manage, table  # noqa: E402

SAMPLE = ROOT / "fixtures" / "survey" / "samples" / "sample-2019.csv"
GOALS = {1237: (3, None), 123_700: (120, 1024)}


def generate(path, rows):
    """`rows` valid institutions: the sample's forty, repeated under new codes."""
    with SAMPLE.open(encoding="utf-8") as f:
        header, *sample = list(csv.reader(f))
    code = header.index("inst_code")
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for number in range(rows):
            row = list(sample[number % len(sample)])
            row[code] = f"B{number:07d}"
            writer.writerow(row)


def workbook(rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


ROW = [["year", "inst_code", "inst_name", "province"], [2023, "A1", "Alpha", "51"]]


def dimension_bomb(path):
    """4.7 KB declaring A1:XFD1048576: 17 billion cells, of which it holds eight."""
    data = workbook(ROW)
    _rewrite(
        data,
        path,
        lambda name, content: (
            content.replace(b'ref="A1:D2"', b'ref="A1:XFD1048576"')
            if name.endswith("sheet1.xml")
            else content
        ),
    )


def shared_string_bomb(path):
    """About 400 KB holding one shared string of 400 MB."""
    _rewrite(workbook(ROW), path, lambda name, content: content)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            part.write(b"<si><t>")
            for _ in range(400):
                part.write(b"x" * 2**20)
            part.write(b"</t></si></sst>")


def header_at_xfd(path, rows=9_999):
    """About 200 KB: a header in A..C with `year` in XFD1, the last column, and 9,999 short rows
    with their year there too (a row padded to the header's width costs 16,384 cells)."""

    def cell(ref, text):
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    header = cell("A1", "inst_code") + cell("B1", "inst_name") + cell("C1", "province")
    body = "".join(
        f'<row r="{r}">{cell(f"A{r}", f"X{r:05d}")}{cell(f"B{r}", "Alpha")}{cell(f"C{r}", "51")}'
        f"{cell(f'XFD{r}', '2023')}</row>"
        for r in range(2, rows + 2)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{header}{cell("XFD1", "year")}</row>{body}</sheetData></worksheet>'
    ).encode()
    _rewrite(
        workbook(ROW),
        path,
        lambda name, content: sheet if name.endswith("sheet1.xml") else content,
    )


def styles_bomb(path, styles=1_500_000):
    """About 3 MB with a styles part of some 95 MB that packs only 30 times (under the ratio
    limit): openpyxl parses the styles whole."""
    import random

    source = zipfile.ZipFile(io.BytesIO(workbook(ROW)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/styles.xml":
                archive.writestr(info.filename, source.read(info))
        with archive.open("xl/styles.xml", "w", force_zip64=True) as part:
            part.write(
                b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
                b'<borders count="1"><border/></borders><cellXfs count="%d">' % styles
            )
            for _ in range(styles):
                part.write(
                    b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                    % random.randint(0, 200)
                )
            part.write(b"</cellXfs></styleSheet>")


def error_rows(path, rows=3_000_000):
    """3 million rows, each with two errors: a negative count and an unknown province."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("year,inst_code,inst_name,province,eq_pet_ct\n")
        for number in range(rows):
            f.write(f"2023,E{number},Alpha,99,-1\n")


def _rewrite(data, path, transform):
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, transform(info.filename, source.read(info)))


BOMBS = {
    "4.7 KB XLSX declaring A1:XFD1048576": ("dimension.xlsx", dimension_bomb, 0),
    "XLSX with a 400 MB shared string": ("strings.xlsx", shared_string_bomb, 1),
    "XLSX with its header reaching column XFD": ("xfd.xlsx", header_at_xfd, 0),
    "XLSX with a 95 MB styles part": ("styles.xlsx", styles_bomb, 1),
    "3 million rows of errors (CSV)": ("errors.csv", error_rows, 1),
}


def bench_bombs(scratch):
    results = []
    fresh_database()
    for label, (name, build, expected_exit) in BOMBS.items():
        path = Path(scratch) / name
        build(path)
        run, exit_code = run_manage("import_survey", str(path))
        last = run.output.strip().splitlines()[-1] if run.output.strip() else ""
        met = run.seconds < 30 and run.peak_mb < 300 and (exit_code != 0) == bool(expected_exit)
        results.append(
            [
                label,
                f"{path.stat().st_size / 1024:,.1f} KB",
                f"{run.seconds:.1f}",
                f"{run.peak_mb:,.0f}",
                "refused" if exit_code else "imported",
                "yes" if met else "NO",
            ]
        )
        print(f"{label}: {last[:160]}", file=sys.stderr)
    table(["file", "size", "seconds", "peak MB", "outcome", "met"], results)


def copy_seconds(path):
    """PostgreSQL's `COPY` of the same file into one wide table of text columns, from this
    process: the floor of loading it, without reading, checking or auditing a value."""
    import psycopg

    with path.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    columns = ", ".join(f'"{name}" text' for name in header)
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS copy_reference")
        connection.execute(f"CREATE TABLE copy_reference ({columns})")
        started = time.perf_counter()
        with connection.cursor() as cursor, path.open("rb") as f:
            with cursor.copy("COPY copy_reference FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE copy_reference")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(GOALS))
    parser.add_argument("--bombs-only", action="store_true")
    arguments = parser.parse_args()
    sizes = [] if arguments.bombs_only else arguments.sizes
    with tempfile.TemporaryDirectory() as scratch:
        bench_bombs(scratch)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            path = Path(scratch) / f"survey-{size}.csv"
            generate(path, size)
            fresh_database()
            first = manage("import_survey", str(path))
            again = manage("import_survey", str(path))
            copied = copy_seconds(path)
            seconds_goal, memory_goal = GOALS.get(size, (None, None))
            met = (seconds_goal is None or first.seconds < seconds_goal) and (
                memory_goal is None or first.peak_mb < memory_goal
            )
            results.append(
                [
                    f"{size:,}",
                    f"{first.seconds:.1f}",
                    f"{size / first.seconds:,.0f}",
                    f"{first.peak_mb:,.0f}",
                    f"{again.seconds:.1f}",
                    f"{copied:.2f}",
                    f"{first.seconds / copied:,.0f}x",
                    f"< {seconds_goal} s" + (f", < {memory_goal} MB" if memory_goal else "")
                    if seconds_goal
                    else "—",
                    "yes" if met else "NO",
                ]
            )
    if results:
        table(
            ["rows", "seconds", "rows/s", "peak MB", "re-import s", "COPY s", "ratio", "goal"]
            + ["met"],
            results,
        )


if __name__ == "__main__":
    main()
