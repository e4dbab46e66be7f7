"""What the benchmarks share: a scratch PostgreSQL database, child processes and their cost."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "nmsurvey_bench")


def bench_env(**extra):
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **extra,
    }


def fresh_database():
    """Drop and recreate the scratch database, then migrate it (not part of any timing)."""
    for statement in (
        f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
        f"CREATE DATABASE {DATABASE}",
    ):
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", statement], check=True)
    manage("migrate", "--noinput", quiet=True)


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str


def run_manage(*args):
    """Run `manage.py` in its own process, whatever its exit status: the run and that status.

    The run's time includes start-up; its memory is the child's peak.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=bench_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    return Run(seconds, usage.ru_maxrss / 1024, output), os.waitstatus_to_exitcode(status)


def manage(*args, quiet=False):
    """Run `manage.py` in its own process, which must succeed: its run."""
    run, exit_code = run_manage(*args)
    if exit_code != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{run.output}")
    if not quiet:
        output = run.output.strip()
        print(output.splitlines()[-1] if output else "", file=sys.stderr)
    return run


def table(headings, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(headings, *rows, strict=True)]
    for row in (headings, ["-" * w for w in widths], *rows):
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, what="the server"):
    """Return once something listens on 127.0.0.1:`port` (at most 30 s)."""
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start")
