"""Import benchmark: a national file (1,237 institutions) and one a hundred times larger.

    .venv/bin/python bench/bench_import.py [--sizes 1237 123700]

Runs `manage.py import_survey` on PostgreSQL (scratch database `nmsurvey_bench`, dropped and
recreated), timing each run from process start and reading its peak memory.
Goals: 1,237 rows under 3 s; 123,700 rows under 120 s and 1 GB.
"""

import argparse
import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, fresh_database, manage, table  # noqa: E402

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(GOALS))
    sizes = parser.parse_args().sizes
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            path = Path(scratch) / f"survey-{size}.csv"
            generate(path, size)
            fresh_database()
            first = manage("import_survey", str(path))
            again = manage("import_survey", str(path))
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
                    f"< {seconds_goal} s" + (f", < {memory_goal} MB" if memory_goal else "")
                    if seconds_goal
                    else "—",
                    "yes" if met else "NO",
                ]
            )
    table(
        ["rows", "seconds", "rows/s", "peak MB", "re-import s", "goal", "met"],
        results,
    )


if __name__ == "__main__":
    main()
