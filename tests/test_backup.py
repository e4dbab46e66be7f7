"""Backup and restore as README describes them: pg_dump, pg_restore, every report kept."""

import shutil
import subprocess

import pytest
from django.db import connection

from interchange.importing import import_file
from tests.importing import SAMPLES

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or shutil.which("pg_dump") is None,
    reason="backup and restore are PostgreSQL's (runs in CI's PostgreSQL pass)",
)


def url(database):
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    return (
        f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{database}"
    )


def table_rows(database, table):
    out = subprocess.run(
        ["psql", url(database), "-tAc", f"SELECT * FROM {table} ORDER BY id"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def test_a_dump_restores_every_report_and_institution(transactional_db, tmp_path):
    import_file(SAMPLES / "sample-2019.csv")
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"
    dump = tmp_path / "survey.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), url(source)], check=True)
    subprocess.run(
        ["psql", url("postgres"), "-qc", f"DROP DATABASE IF EXISTS {restored}"], check=True
    )
    subprocess.run(["psql", url("postgres"), "-qc", f"CREATE DATABASE {restored}"], check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", url(restored), str(dump)], check=True)
        for table in ("survey_report", "departments_institution"):
            original = table_rows(source, table)
            assert original.count("\n") >= 40
            assert table_rows(restored, table) == original
    finally:
        subprocess.run(
            ["psql", url("postgres"), "-qc", f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)"],
            check=True,
        )
