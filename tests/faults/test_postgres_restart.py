"""PostgreSQL going away under traffic, and an import killed halfway.

Run by CI against this machine's PostgreSQL (`pytest -m fault`); it stops and restarts the
server, so it is left out of the ordinary suite.
"""

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "nmsurvey_fault"
SAMPLE = ROOT / "fixtures" / "survey" / "samples" / "sample-2019.csv"

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(
        shutil.which("pg_ctlcluster") is None or os.geteuid() != 0,
        reason="needs the local PostgreSQL cluster and the right to restart it",
    ),
]


def env():
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "fault-test-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    }


def psql(statement):
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", statement], check=True)


def manage(*args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True
    )


def cluster(action):
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
    )


def wait_for_postgres(timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError("PostgreSQL did not come back")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def count_reports():
    out = subprocess.run(
        ["psql", f"{SERVER}/{DATABASE}", "-tAc", "SELECT count(*) FROM survey_report"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout)


@pytest.fixture(scope="module")
def database():
    psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    psql(f"CREATE DATABASE {DATABASE}")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    manage("import_survey", str(SAMPLE))
    yield
    wait_for_postgres()
    psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture
def app_server(database):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if status_of(f"{base}/healthz", timeout=2) == 200:
                break
        except OSError:
            time.sleep(0.1)
    yield base, server
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_requests_fail_cleanly_while_postgres_is_down_and_recover_by_themselves(app_server):
    base, server = app_server
    outcomes = []
    stop = threading.Event()

    def traffic():
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = status_of(f"{base}/healthz")
            except OSError as error:
                status = type(error).__name__
            outcomes.append((status, time.monotonic() - started))
            time.sleep(0.05)

    thread = threading.Thread(target=traffic)
    thread.start()
    try:
        time.sleep(1)
        cluster("stop")
        time.sleep(3)
        during = len(outcomes)
        assert status_of(f"{base}/healthz") == 503
        assert status_of(f"{base}/reports/?year=2019") == 503
    finally:
        cluster("start")
    wait_for_postgres()
    deadline = time.monotonic() + 30
    while status_of(f"{base}/healthz") != 200:
        assert time.monotonic() < deadline, "the app did not recover"
        time.sleep(0.2)
    time.sleep(1)
    stop.set()
    thread.join()
    assert server.poll() is None, "the app server died"
    statuses = {status for status, _seconds in outcomes}
    assert statuses <= {200, 503}, statuses
    assert 503 in {status for status, _s in outcomes[:during]}
    assert max(seconds for _status, seconds in outcomes) < 10, "a request hung"
    # A worker's first dashboard computes its figures cold (seconds on a busy machine): the
    # point here is that it succeeds, not how fast; hangs are bounded by gunicorn's timeout.
    assert [status_of(f"{base}/reports/?year=2019", timeout=60) for _ in range(10)] == [200] * 10


def test_an_import_killed_halfway_leaves_nothing_behind(database, tmp_path):
    with SAMPLE.open(encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for number in range(60_000):
            row = list(rows[number % len(rows)])
            row[0], row[1] = "2023", f"K{number:06d}"
            writer.writerow(row)
    before = count_reports()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_survey", str(big)],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(6)  # well into the file: several chunks written inside the transaction
    assert process.poll() is None, "the import finished before it could be interrupted"
    process.kill()
    process.wait()
    assert count_reports() == before
