"""What one section save costs the server: CPU per save, in-process and under gunicorn, beside
the floor (a minimal Django app with the same essentials, `bench/floor`), and where it goes.

    .venv/bin/python bench/bench_save.py [--saves 300] [--profile 15]

On PostgreSQL (scratch database `nmsurvey_bench` with the demo data). A reporter saves its
report's research section again and again with a new value, as the browser posts it (every
field of the form, the version it was loaded at); the floor saves the same row with one
conditional UPDATE. In-process: Django's test client in this process, CPU time per save.
Under gunicorn: one sync worker, saves one after another over HTTP, the worker's CPU time per
save (from /proc). Then the profile's top entries of the platform's save, in-process.
Goal: a section save <= 5 ms of server CPU, in-process and under gunicorn.
"""

import argparse
import cProfile
import http.cookiejar
import io
import json
import os
import pstats
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import PASSWORD, SAVED_ITEM, SECTION, FormFields, prepare  # noqa: E402
from common import PYTHON, ROOT, bench_env, free_port, manage, table, wait_for_port  # noqa: E402

GOAL_MS = 5.0
BENCH = Path(__file__).resolve().parent


def report_of(code):
    script = (
        "from survey.models import Report;"
        f"r = Report.objects.get(cycle_id=2023, institution__code={code!r});"
        "print(r.pk, r.version)"
    )
    pk, version = manage("shell", "-c", script, quiet=True).output.split()[-2:]
    return int(pk), int(version)


# -- in-process (a child process per app, so that each has its own settings) --


def in_process(app, code, saves, profile_lines):
    """CPU ms per save through Django's test client, and the profile's text (platform)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="load-r0"))
    if app == "platform":
        url = f"/survey/reports/2023/{code}/{SECTION}/"
        parser = FormFields()
        parser.feed(client.get(url).content.decode())
        fields = parser.fields
        version = int(fields["version"])

        def post(value, version):
            data = {**fields, SAVED_ITEM: str(value), "version": str(version), "then": "stay"}
            return client.post(url, data)
    else:
        pk, version = report_of_in_process(code)
        url = f"/save/{pk}/"

        def post(value, version):
            return client.post(url, {"value": str(value), "version": str(version)})

    def run(count, version):
        for number in range(count):
            response = post(number % 7, version)
            if response.status_code != 302:
                raise SystemExit(f"{app}: save answered {response.status_code}")
            # The browser's redirected GET shows "Saved." and so consumes it.
            client.cookies.pop("messages", None)
            version += 1
        return version

    version = run(20, version)  # warm: templates, translations, connections
    started = time.process_time()
    version = run(saves, version)
    per_save = (time.process_time() - started) * 1000 / saves
    text = ""
    if profile_lines:
        profiler = cProfile.Profile()
        profiler.runcall(run, saves, version)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(rf"{ROOT}/(survey|accounts|config|equipment|reports)/", profile_lines)
        stats.sort_stats("tottime").print_stats(profile_lines)
        text = out.getvalue()
    return per_save, text


def report_of_in_process(code):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.version FROM survey_report r JOIN departments_institution i"
            " ON i.id = r.institution_id WHERE r.cycle_id = 2023 AND i.code = %s",
            [code],
        )
        return cursor.fetchone()


def child(app, code, saves, profile_lines):
    os.environ.update(bench_env(ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0"))
    if app == "floor":
        sys.path.insert(0, str(BENCH))
        os.environ["DJANGO_SETTINGS_MODULE"] = "floor.settings"
    else:
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    per_save, text = in_process(app, code, saves, profile_lines)
    print(json.dumps({"ms": per_save, "profile": text}))


def measured_in_process(app, code, saves, profile_lines=0):
    output = subprocess.run(
        [PYTHON, __file__, "--child", app, code, str(saves), str(profile_lines)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode:
        raise SystemExit(f"in-process {app} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# -- under gunicorn --


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_gunicorn(app, port):
    env = bench_env(
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    target = ["floor.wsgi", "--pythonpath", str(BENCH)] if app == "floor" else ["config.wsgi"]
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", *target, "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    wait_for_port(port, "gunicorn")
    return server


def worker_cpu_seconds(master):
    """CPU time so far of the gunicorn master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def under_gunicorn(app, code, saves):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(app, port)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def request(path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with browser.open(base + path, body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()

    def csrf():
        return next(c.value for c in jar if c.name == "csrftoken")

    try:
        login = "/login/" if app == "floor" else "/accounts/login/"
        request(login)
        status, _ = request(
            login,
            {"username": "load-r0", "password": PASSWORD, "csrfmiddlewaretoken": csrf()},
        )
        assert status == 302, f"{app}: login answered {status}"
        if app == "platform":
            url = f"/survey/reports/2023/{code}/{SECTION}/"
            parser = FormFields()
            parser.feed(request(url)[1])
            fields = parser.fields
            version = int(fields["version"])
        else:
            pk, version = report_of(code)
            url, fields = f"/save/{pk}/", {}

        def run(count, version):
            times = []
            for number in range(count):
                data = {**fields, "csrfmiddlewaretoken": csrf(), "version": str(version)}
                data.update({SAVED_ITEM: number % 7, "then": "stay", "value": number % 7})
                started = time.perf_counter()
                status, _ = request(url, data)
                times.append(time.perf_counter() - started)
                if status != 302:
                    raise SystemExit(f"{app}: save answered {status}")
                # The browser's redirected GET shows "Saved." and so consumes it.
                jar.clear(domain="127.0.0.1", path="/", name="messages") if any(
                    c.name == "messages" for c in jar
                ) else None
                version += 1
            return version, times

        version, _ = run(20, version)
        before = worker_cpu_seconds(server.pid)
        version, times = run(saves, version)
        cpu = (worker_cpu_seconds(server.pid) - before) * 1000 / saves
        return cpu, sorted(times)[len(times) // 2] * 1000
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _flag, app, code, saves, profile_lines = sys.argv[1:]
        return child(app, code, int(saves), int(profile_lines))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--profile", type=int, default=15, help="profile lines shown (0: none)")
    parser.add_argument("--reuse", help="institution code of a database already prepared")
    options = parser.parse_args()
    if options.reuse:
        code = options.reuse
    else:
        (code,) = prepare(1, 0)
        manage("collectstatic", "--noinput", quiet=True)
        print(f"prepared: rerun with --reuse {code}", file=sys.stderr)
    rows, profile = [], ""
    for app in ("platform", "floor"):
        measured = measured_in_process(
            app, code, options.saves, options.profile if app == "platform" else 0
        )
        profile = profile or measured["profile"]
        cpu, wall = under_gunicorn(app, code, options.saves)
        rows.append((app, f"{measured['ms']:.1f}", f"{cpu:.1f}", f"{wall:.1f}"))
    print(f"section save, {options.saves} saves one after another (goal: <= {GOAL_MS:g} ms CPU)")
    table(["app", "in-process CPU ms", "gunicorn worker CPU ms", "gunicorn wall p50 ms"], rows)
    ratio = float(rows[0][2]) / max(float(rows[1][2]), 0.01)
    print(f"platform / floor under gunicorn: {ratio:.1f}x")
    if profile:
        print("\nprofile of the platform's save, in-process:\n" + profile)


if __name__ == "__main__":
    main()
