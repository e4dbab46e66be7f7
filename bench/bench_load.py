"""Deadline-day load test: reporters saving sections while analysts reload dashboards.

    .venv/bin/python bench/bench_load.py [--reporters 200] [--analysts 20] [--seconds 60]

Against gunicorn on 127.0.0.1 (several workers sharing the Redis cache at 127.0.0.1:6379)
and PostgreSQL (scratch database `nmsurvey_bench` with the demo data). Each reporter logs in,
opens its own report's research section once, then saves it again and again with a new value
(one POST per save, carrying the form's version as a browser would), each at its own pace
(`--interval`, default 1.5 s: the deadline-day rate of 133 saves/s). Each analyst reloads the
national and provincial dashboards as fast as they come. Bounded in time. Afterwards every reporter's last saved
value is checked in the database, and no response may be a 5xx.
Goals: >= 100 section saves/s with p95 <= 500 ms and, meanwhile, >= 100 dashboard views/s;
0 errors, 0 values lost. `--double` then measures at twice the offered load (no goal).
`--floor` measures the same load against `bench/floor` (a minimal Django app with the same
essentials: one conditional UPDATE per save, one aggregate query per dashboard), so that the gap
is a ratio.
"""

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
from yarl import URL

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, ROOT, bench_env, free_port, fresh_database, manage, wait_for_port  # noqa: E402

PASSWORD = "load-test-password-1"
SECTION = "research"
SAVED_ITEM = "res_papers_sci"
# Counted with the 5xx responses: a request whose connection the server dropped.
CONNECTION_LOST = 599
DASHBOARDS = ["/reports/?year=2023&baseline=2019", "/reports/province/51/?year=2023"]
BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class App:
    """Where a load test's requests go: the platform, or its floor (`bench/floor`)."""

    name: str
    wsgi: list
    login: str
    dashboards: list

    def report_url(self, code):
        if self.name == "floor":
            return f"/report/{code}/"
        return f"/survey/reports/2023/{code}/{SECTION}/"

    def save_url(self, code, fields):
        return f"/save/{fields['report']}/" if self.name == "floor" else self.report_url(code)


PLATFORM = App("platform", ["config.wsgi"], "/accounts/login/", DASHBOARDS)
FLOOR = App("floor", ["floor.wsgi", "--pythonpath", str(BENCH)], "/login/", ["/dashboard/"])


class FormFields(HTMLParser):
    """The named fields of the page's report form, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "checkbox"):
            self.fields[name] = attrs.get("value") or ""
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.fields[name] = attrs.get("value") or "on"
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def prepare(reporters, analysts):
    """Scratch database with the demo data and the load test's accounts (not timed)."""
    fresh_database()
    manage("load_demo", quiet=True)
    script = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from accounts.models import Membership
from survey.models import Report
User = get_user_model()
password = make_password({PASSWORD!r})
reports = list(Report.objects.filter(cycle_id=2023).select_related("institution")
               .order_by("institution__code")[:{reporters}])
# The demo accepts most reports: the load test's reporters file drafts.
Report.objects.filter(pk__in=[r.pk for r in reports]).update(status="draft")
users = User.objects.bulk_create(
    [User(username=f"load-r{{i}}", password=password) for i in range(len(reports))]
    + [User(username=f"load-a{{i}}", password=password) for i in range({analysts})])
Membership.objects.bulk_create(
    [Membership(user=u, role="reporter", institution=r.institution)
     for u, r in zip(users, reports)]
    + [Membership(user=u, role="analyst") for u in users[len(reports):]])
print(",".join(r.institution.code for r in reports))
"""
    run = manage("shell", "-c", script, quiet=True)
    return run.output.strip().splitlines()[-1].split(",")


def start_server(app, port, workers, threads, max_age):
    env = bench_env(
        SURVEY_FIGURES_MAX_AGE=str(max_age),
        REDIS_URL="redis://127.0.0.1:6379/7",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        # Plain HTTP on 127.0.0.1: secure-only cookies would never come back from the client.
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    subprocess.run(["redis-cli", "-n", "7", "flushdb"], check=True, capture_output=True)
    manage("collectstatic", "--noinput", quiet=True)
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            *app.wsgi,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    wait_for_port(port, "gunicorn")
    return server


async def log_in(session, app, base, username):
    async with session.get(base + app.login) as response:
        await response.read()
    token = session.cookie_jar.filter_cookies(URL(base)).get("csrftoken").value
    async with session.post(
        base + app.login,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
    ) as response:
        assert response.status == 302, f"login of {username}: {response.status}"


async def open_report(session, app, base, index, code):
    """Log a reporter in and open its report's section once: where it saves, the form's fields."""
    await log_in(session, app, base, f"load-r{index}")
    async with session.get(base + app.report_url(code)) as response:
        parser = FormFields()
        parser.feed(await response.text())
    return base + app.save_url(code, parser.fields), parser.fields


async def keep_saving(session, code, url, fields, deadline, interval, stats):
    """Save every `interval` seconds (a person filling a form), starting at a random moment."""
    version = int(fields["version"])
    baseline = int(fields.get(SAVED_ITEM) or 0)
    next_save = time.monotonic() + random.uniform(0, interval)
    while True:
        await asyncio.sleep(max(0.0, next_save - time.monotonic()))
        next_save += interval
        if time.monotonic() >= deadline:
            break
        value = baseline + random.randint(0, 3)
        data = {**fields, SAVED_ITEM: str(value), "version": str(version), "then": "stay"}
        data["value"] = data[SAVED_ITEM]  # the floor's name for it
        started = time.monotonic()
        try:
            async with session.post(url, data=data, allow_redirects=False) as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError:
            # The server dropped the connection (a worker killed for its timeout): an error,
            # and whether the value was saved is unknown, so this reporter stops here.
            stats["statuses"].append(CONNECTION_LOST)
            stats["last_saved"].pop(code, None)
            break
        # The browser's redirected GET shows "Saved." and so consumes it: without this, the
        # messages would pile up in the cookie, then in the session, written on every save.
        session.cookie_jar.clear(lambda cookie: cookie.key == "messages")
        stats["save_times"].append(time.monotonic() - started)
        stats["statuses"].append(status)
        if status == 302:
            version += 1
            stats["last_saved"][code] = value
        else:
            stats["failed_saves"] += 1


async def keep_reading(session, app, base, deadline, stats):
    while time.monotonic() < deadline:
        url = random.choice(app.dashboards)
        started = time.monotonic()
        try:
            async with session.get(base + url) as response:
                await response.read()
                stats["statuses"].append(response.status)
        except aiohttp.ClientError:
            stats["statuses"].append(CONNECTION_LOST)
            continue
        stats["dashboard_times"].append(time.monotonic() - started)


def browser(connector):
    # unsafe=True: accept cookies from an IP address (127.0.0.1), as browsers do.
    return aiohttp.ClientSession(
        connector=connector, connector_owner=False, cookie_jar=aiohttp.CookieJar(unsafe=True)
    )


async def run_load(app, base, codes, analysts, seconds, interval):
    """Everyone logs in first (not part of the goal), then all work until the deadline."""
    stats = {
        "save_times": [],
        "dashboard_times": [],
        "statuses": [],
        "last_saved": {},
        "failed_saves": 0,
    }
    connector = aiohttp.TCPConnector(limit=0)
    reporters = [browser(connector) for _ in codes]
    readers = [browser(connector) for _ in range(analysts)]
    try:
        # Password hashing is slow by design: log in a few at a time, not all 200 at once.
        gate = asyncio.Semaphore(8)

        async def gated(session, index, code):
            async with gate:
                return await open_report(session, app, base, index, code)

        forms = await asyncio.gather(
            *(gated(s, i, code) for i, (s, code) in enumerate(zip(reporters, codes, strict=True)))
        )
        for i, session in enumerate(readers):
            await log_in(session, app, base, f"load-a{i}")
            for url in app.dashboards:  # warm the cache before measuring
                async with session.get(base + url) as response:
                    await response.read()
        started = time.monotonic()
        cpu_before = cpu_seconds()
        deadline = started + seconds
        await asyncio.gather(
            *(
                keep_saving(session, code, url, fields, deadline, interval, stats)
                for session, code, (url, fields) in zip(reporters, codes, forms, strict=True)
            ),
            *(keep_reading(session, app, base, deadline, stats) for session in readers),
        )
        stats["cpu"] = [
            after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True)
        ]
        return stats, time.monotonic() - started
    finally:
        for session in reporters + readers:
            await session.close()
        await connector.close()


def cpu_seconds():
    """CPU time so far of this load generator, and of all gunicorn and PostgreSQL processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    server = database = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / ticks
        if b"gunicorn" in command:
            server += used
        elif b"postgres" in command:
            database += used
    own = os.times()
    return own.user + own.system, server, database


def check_saved(last_saved):
    """Every reporter's last successful save is what the database holds."""
    import json

    script = (
        "from survey.models import Report;"
        "import json;"
        f"codes={sorted(last_saved)!r};"
        "print(json.dumps(dict(Report.objects.filter(cycle_id=2023, institution__code__in=codes)"
        f".values_list('institution__code', '{SAVED_ITEM}'))))"
    )
    stored = json.loads(manage("shell", "-c", script, quiet=True).output.strip().splitlines()[-1])
    return [code for code, value in last_saved.items() if stored.get(code) != value]


def milliseconds(values, fraction):
    """The `fraction` percentile of durations in seconds, in ms (0 when there are none)."""
    return percentile(values, fraction) * 1000


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--analysts", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--max-age",
        type=int,
        default=10,
        help="SURVEY_FIGURES_MAX_AGE of the servers: how long figures may lag behind saves",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=1.5,
        help="seconds between one reporter's saves (200 reporters every 1.5 s: 133 saves/s)",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--double", action="store_true", help="then again at twice the offered load (no goal)"
    )
    parser.add_argument(
        "--floor", action="store_true", help="then the same against the floor app (bench/floor)"
    )
    options = parser.parse_args()
    codes = prepare(options.reporters, options.analysts)
    failed = False
    for app in [PLATFORM] + ([FLOOR] if options.floor else []):
        port = free_port()
        server = start_server(app, port, options.workers, options.threads, options.max_age)
        try:
            intervals = [options.interval] + ([options.interval / 2] if options.double else [])
            for interval in intervals:
                failed |= measure(app, f"http://127.0.0.1:{port}", codes, options, interval)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    if failed:
        raise SystemExit(1)


def measure(app, base, codes, options, interval):
    """One run at `interval` between a reporter's saves; prints it; whether anything failed."""
    stats, elapsed = asyncio.run(
        run_load(app, base, codes, options.analysts, options.seconds, interval)
    )
    lost = check_saved(stats["last_saved"])
    server_errors = [s for s in stats["statuses"] if s >= 500]
    saves, views = stats["save_times"], stats["dashboard_times"]
    offered = len(codes) / interval
    goal = interval == options.interval and app is PLATFORM
    print(
        f"\n{app.name}: {len(codes)} reporters saving every {interval:g} s (offered {offered:.0f} saves/s), "
        f"{options.analysts} analysts, {elapsed:.0f} s, {options.workers} gunicorn workers x "
        f"{options.threads} threads, Redis cache, figures at most {options.max_age} s behind"
    )
    print(
        f"section saves: {len(saves) / elapsed:,.1f}/s, p50 {milliseconds(saves, 0.5):.0f} ms, "
        f"p95 {milliseconds(saves, 0.95):.0f} ms"
        + (" (goal >= 100/s, p95 <= 500 ms)" if goal else " (no goal)")
    )
    print(
        f"dashboards: {len(views) / elapsed:,.1f}/s, p50 {milliseconds(views, 0.5):.0f} ms, "
        f"p95 {milliseconds(views, 0.95):.0f} ms" + (" (goal >= 100/s)" if goal else "")
    )
    generator, server, database = (seconds / elapsed for seconds in stats["cpu"])
    print(
        f"CPU cores busy: app servers {server:.2f}, PostgreSQL {database:.2f}, "
        f"this load generator {generator:.2f} (of {os.cpu_count()}); app server CPU per "
        f"request {server * 1000 / max(1, (len(saves) + len(views)) / elapsed):.1f} ms"
    )
    print(
        f"refused saves: {stats['failed_saves']}; 5xx responses or dropped connections: "
        f"{len(server_errors)}; "
        f"saved values missing from the database: {len(lost)}"
    )
    return bool(server_errors or lost)


if __name__ == "__main__":
    main()
