"""Reports benchmark: national aggregates against hand-written SQL, and the dashboard page.

    .venv/bin/python bench/bench_reports.py [--scales 1 10 100]

For each scale (1x = 1,237 institutions x 2 survey years) on PostgreSQL (scratch database
`nmsurvey_bench`): the national figures through the ORM against one hand-written SQL query of
the same sums (the floor), and the national dashboard cold (empty cache) and warm. Then the
weight of the dashboard page: first load (HTML and every static asset, compressed as
whitenoise serves them) and a repeat load (assets cached by the browser).
Goals: aggregates within 2x of the SQL; the cold dashboard within 3x of the hand-written SQL of
every sum it shows at 100x; page under 300 ms cold at 1x, under 50 ms warm;
under 1.5 MB on first load, under 100 KB after.
"""

import argparse
import gzip
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, bench_env, fresh_database, manage, table  # noqa: E402

NATIONAL = "/reports/?year=2023&baseline=2019"
REPEATS = 7


def median_seconds(action, repeats=REPEATS, before=None):
    times = []
    for _ in range(repeats):
        if before:
            before()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def load_national_data():
    """Both survey years at 1x: the demo data, written as the demo loader writes it."""
    manage("load_demo", quiet=True)


def scale_up(factor):
    """Copy every institution and its reports `factor - 1` times, in SQL (fast at 100x)."""
    from django.db import connection

    from survey.models import Report

    if factor <= 1:
        return
    columns = [
        f.column for f in Report._meta.concrete_fields if f.name not in ("id", "institution")
    ]
    listed = ", ".join(f'"{c}"' for c in columns)
    copied = ", ".join(f'r."{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO departments_institution
               (code, name_en, name_zh, province_id, ownership, tier, dept_affiliation)
               SELECT code || '-' || k, name_en, name_zh, province_id, ownership, tier,
                      dept_affiliation
               FROM departments_institution CROSS JOIN generate_series(1, %s) AS k""",
            [factor - 1],
        )
        cursor.execute(
            f"""INSERT INTO survey_report (institution_id, {listed})
                SELECT c.id, {copied} FROM survey_report r
                JOIN departments_institution o ON o.id = r.institution_id
                CROSS JOIN generate_series(1, %s) AS k
                JOIN departments_institution c ON c.code = o.code || '-' || k""",
            [factor - 1],
        )
        cursor.execute("ANALYZE")


def hand_written_sql():
    """One query of the sums behind the national figures: counts summed, flags counted."""
    from survey.instrument import items as instrument

    parts = ["count(*)"]
    for item in instrument.items():
        if not item.on_report:
            continue
        column = f'"{item.code}"'
        if item.kind == instrument.COUNT:
            parts += [f"sum({column})", f"count({column})"]
        elif item.kind == instrument.FLAG:
            parts += [f"count(*) filter (where {column})", f"count({column})"]
        elif item.kind == instrument.CHOICE:
            for value, _label in item.field.choices:
                parts.append(f"count(*) filter (where {column} = '{value}')")
    return f"SELECT {', '.join(parts)} FROM survey_report WHERE cycle_id = 2023"


def hand_written_dashboard_sql():
    """One query of every sum the national dashboard shows, as its disclosure control needs
    them: both years, the nation and each province, each count's sum, contributors (> 0) and
    largest contribution, each flag and choice counted."""
    from survey.instrument import items as instrument

    parts = ["r.cycle_id", "i.province_id", "count(*)"]
    for item in instrument.items():
        if not item.on_report:
            continue
        column = f'r."{item.code}"'
        if item.kind == instrument.COUNT:
            parts += [
                f"sum({column})",
                f"count(*) filter (where {column} > 0)",
                f"max({column})",
            ]
        elif item.kind == instrument.FLAG:
            parts += [f"count(*) filter (where {column})", f"count({column})"]
        elif item.kind == instrument.CHOICE:
            for value, _label in item.field.choices:
                parts.append(f"count(*) filter (where {column} = '{value}')")
    return (
        f"SELECT {', '.join(parts)} FROM survey_report r"
        " JOIN departments_institution i ON i.id = r.institution_id"
        " WHERE r.cycle_id IN (2019, 2023)"
        " GROUP BY GROUPING SETS ((r.cycle_id), (r.cycle_id, i.province_id))"
    )


def measure(scale):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from reports import metrics

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    orm = median_seconds(lambda: metrics.figures(year=2023), before=cache.clear)
    floor = median_seconds(lambda: run(hand_written_sql()))
    dashboard_floor = median_seconds(lambda: run(hand_written_dashboard_sql()))
    client = Client()
    cold = median_seconds(lambda: _get(client, NATIONAL), before=cache.clear)
    warm = median_seconds(lambda: _get(client, NATIONAL))
    return orm, floor, cold, warm, dashboard_floor


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def page_weight():
    """Bytes transferred for the national dashboard: first load, and a repeat load."""
    from django.conf import settings
    from django.test import Client

    html = _get(Client(), NATIONAL).content
    # charts.js loads plotly.js (and its Chinese locale) named in its data-plotly attributes.
    assets = re.findall(rb'(?:src|href|data-plotly|data-plotly-locale)="(/static/[^"]+)"', html)
    first = len(gzip.compress(html))
    for url in set(assets):
        path = Path(settings.STATIC_ROOT) / url.decode()[len("/static/") :]
        compressed = [p for p in (Path(f"{path}.br"), Path(f"{path}.gz")) if p.exists()]
        first += min((p.stat().st_size for p in compressed), default=path.stat().st_size)
    return first, len(gzip.compress(html)), len(html)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    scales = parser.parse_args().scales
    os.environ.update(
        bench_env(
            ALLOWED_HOSTS="testserver",
            SECURE_SSL_REDIRECT="0",
            DJANGO_SETTINGS_MODULE="config.settings",
        )
    )
    manage("collectstatic", "--noinput", quiet=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    rows = []
    weight = None
    for scale in sorted(scales):
        connection.close()
        fresh_database()
        load_national_data()
        scale_up(scale)
        orm, floor, cold, warm, dashboard_floor = measure(scale)
        if weight is None:
            weight = page_weight()
        rows.append(
            [
                f"{scale}x",
                f"{1237 * scale:,}",
                f"{orm * 1000:.0f}",
                f"{floor * 1000:.0f}",
                f"{orm / floor:.2f}",
                f"{cold * 1000:.0f}",
                f"{warm * 1000:.1f}",
                f"{dashboard_floor * 1000:.0f}",
                f"{cold / dashboard_floor:.1f}",
            ]
        )
    table(
        [
            "scale",
            "institutions",
            "ORM ms",
            "SQL ms",
            "ORM/SQL",
            "page cold ms",
            "page warm ms",
            "its SQL ms",
            "cold/SQL",
        ],
        rows,
    )
    print(
        "ORM/SQL: the national figures against one query of their sums (goal <= 2); cold/SQL: "
        "the cold national dashboard, disclosure control included, against one query of every "
        "sum it shows with what disclosure control needs (both years, nation and provinces, "
        "contributors and largest contributions; goal <= 3 at 100x)"
    )
    first, repeat, raw = weight
    print()
    print(f"national dashboard, first load: {first / 1024:,.0f} KB transferred (goal < 1,536 KB)")
    print(
        f"national dashboard, repeat load: {repeat / 1024:,.0f} KB transferred "
        f"({raw / 1024:,.0f} KB of HTML before compression; goal < 100 KB)"
    )


if __name__ == "__main__":
    main()
