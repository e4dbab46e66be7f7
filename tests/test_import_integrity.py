"""An import gives exactly the file or nothing, also when codes differ in case, when another
import runs at the same time, and when the database fails midway."""

import io
import os
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection

from departments.models import Institution
from interchange import importing
from interchange.importing import ImportBusy, ImportInterrupted, import_file
from survey.models import Report
from tests.importing import SAMPLES, csv_bytes, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def registry():
    assert import_file(SAMPLES / "sample-2019.csv").ok
    return snapshot()


def test_a_code_differing_only_in_case_is_the_registrys_code_and_the_import_says_so(registry):
    data = csv_bytes([["year", "inst_code", "eq_pet_ct"], [2019, "s120002", 7]])
    summary = import_file(io.BytesIO(data))
    assert summary.ok and summary.reports_updated == 1
    assert summary.notices == [
        "line 2, column inst_code: s120002 is the registry's S120002 (codes are one in any case)."
    ]
    assert not Institution.objects.filter(code="s120002").exists()
    assert Report.objects.get(institution__code="S120002", cycle_id=2019).eq_pet_ct == 7


def test_the_command_prints_what_it_read_differently(registry, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([["year", "inst_code"], [2019, "s120002"]]))
    call_command("import_survey", str(path))
    assert "s120002 is the registry's S120002" in capsys.readouterr().out


def test_the_database_refuses_a_second_code_differing_only_in_case(registry):
    with pytest.raises(IntegrityError):
        Institution.objects.create(code="s120002", name_zh="重复", province_id="12")


def test_full_width_digits_typed_by_a_chinese_input_method_are_read_as_digits():
    data = csv_bytes(
        [
            ["year", "inst_code", "inst_name", "province", "eq_pet_ct"],
            ["２０２３", "A1", "A", "51", "１２"],
        ]
    )
    assert import_file(io.BytesIO(data)).ok
    assert Report.objects.get().eq_pet_ct == 12


def failing(exception):
    def fail(*args, **kwargs):
        raise exception("simulated")

    return fail


@pytest.mark.parametrize(
    ("exception", "words"),
    [
        (OperationalError, "The database stopped answering during the import"),
        (IntegrityError, "Someone changed these institutions or reports while the import ran"),
    ],
)
def test_a_database_failure_midway_is_a_clear_refusal_with_nothing_written(
    registry, monkeypatch, tmp_path, exception, words
):
    path = tmp_path / "x.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["year", "inst_code", "inst_name", "province"],
                [2019, "S120002", "Renamed", 12],
                [2023, "N1", "New", 51],
            ]
        )
    )
    monkeypatch.setattr(Report.objects, "bulk_create", failing(exception))
    with pytest.raises(CommandError, match=words):
        call_command("import_survey", str(path))
    assert snapshot() == registry


def test_an_import_may_refuse_to_wait_for_another(monkeypatch):
    monkeypatch.setattr(importing, "_lock_imports", failing(ImportBusy))
    with pytest.raises(ImportInterrupted):
        importing.import_table(["inst_code"], [(2, ["A1"])], year=2023, wait=False)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL lock"
)
@pytest.mark.django_db(transaction=True)
def test_imports_run_one_at_a_time_on_postgresql():
    """While one import holds the lock, another that may not wait is refused, and one that
    waits runs after it: never two at once creating the same institutions."""
    from django.db import connections

    holding, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [importing.IMPORT_LOCK_KEY])
                holding.set()
                release.wait(10)
                cursor.execute("COMMIT")
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert holding.wait(10)
    data = csv_bytes([["year", "inst_code", "inst_name", "province"], [2023, "A1", "A", 51]])
    try:
        with pytest.raises(ImportBusy, match="Another import is running"):
            table_rows = [(2, ["2023", "A1", "A", "51"])]
            importing.import_table(
                ["year", "inst_code", "inst_name", "province"], table_rows, wait=False
            )
    finally:
        release.set()
        holder.join()
    assert import_file(io.BytesIO(data)).ok
    assert connection.vendor == "postgresql"
