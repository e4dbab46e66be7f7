"""Importing a survey year from an interchange file: all of it, or nothing.

The file is read as a stream and handled in chunks inside one transaction: each chunk is
parsed, checked against the dictionary's rules and written while no error has been seen; after
the first error the rest is still checked (every error is reported) but nothing more is written,
and the transaction is rolled back. A dry run always rolls back. Checking stops after
`MAX_ERRORS` errors: a file that wrong is not corrected error by error, and millions of
messages would cost more than the file.

Imports run one at a time (a lock in PostgreSQL): two at once would both create the same new
institutions.
"""

from dataclasses import dataclass, field
from itertools import islice

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Institution
from interchange.files import UnreadableCell, at_cell, open_table
from interchange.headers import HEADER_SEARCH_ROWS, ColumnMatcher, find_header
from interchange.parsing import YEAR_COLUMN, InvalidValue, ValueParser, parse_year
from survey import audit, versions
from survey.instrument import items as instrument
from survey.instrument import rules
from survey.models import ChangeSource, Cycle, Report, ReportStatus

CHUNK_ROWS = 1000
NAME_ITEMS = ("inst_name", "inst_name_zh")
MAX_ERRORS = 200
MAX_NOTICES = 200
# Any constant shared by every import: pg_advisory_xact_lock takes one 64-bit key.
IMPORT_LOCK_KEY = 0x5355_5256_4559  # "SURVEY"


class ImportInterrupted(Exception):
    """The import could not finish for a reason outside the file; nothing was written."""


class ImportBusy(ImportInterrupted):
    """Another import is running and the caller chose not to wait for it."""


@dataclass(frozen=True, order=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        return at_cell(self.line, self.column, self.message)


@dataclass
class RowOutcome:
    """What importing one row did (or, in a dry run, would do) to its report."""

    line: int
    year: int
    inst_code: str
    action: str  # "new", "update" or "skip"
    changes: dict = field(default_factory=dict)  # item code -> (old value, new value)
    notes: list[str] = field(default_factory=list)  # what was read differently than written


@dataclass
class ImportSummary:
    years: list[int] = field(default_factory=list)
    dry_run: bool = False
    rows: int = 0
    institutions_created: int = 0
    institutions_updated: int = 0
    reports_created: int = 0
    reports_updated: int = 0
    reports_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_not_shown: int = 0
    stopped_at_line: int | None = None
    rows_not_checked: int | None = None  # after stopping; None when the file's size is unknown
    notices: list[str] = field(default_factory=list)
    notices_not_shown: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    header_line: int = 1  # below title rows, the header's own line
    # (header as the file writes it, item code) of the columns not headed by their code;
    # the code is None for a column the mapping ignores.
    columns_mapped: list[tuple[str, str | None]] = field(default_factory=list)

    def add_error(self, error):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)
        else:
            self.errors_not_shown += 1

    def add_notice(self, notice):
        if len(self.notices) < MAX_NOTICES:
            self.notices.append(notice)
        else:
            self.notices_not_shown += 1

    def notice_lines(self):
        """The notices to show, and how many more there were."""
        more = self.notices_not_shown
        tail = [_("… and %(n)s more such notices.") % {"n": f"{more:,}"}] if more else []
        return [*self.notices, *tail]

    @property
    def stopped(self):
        return self.stopped_at_line is not None

    @property
    def ok(self):
        return not self.errors

    @property
    def written(self):
        return self.ok and not self.dry_run

    def describe(self):
        counts = {
            "rows": self.rows,
            "year": ", ".join(map(str, self.years)),
            "new": self.reports_created,
            "updated": self.reports_updated,
            "unchanged": self.reports_unchanged,
            "institutions": self.institutions_created,
        }
        if not self.ok:
            return " ".join(filter(None, [self._describe_errors(), self._describe_stop()]))
        if self.dry_run:
            return (
                _(
                    "Dry run, nothing written. %(rows)s rows for %(year)s would give %(new)s new "
                    "reports, %(updated)s updated, %(unchanged)s unchanged; %(institutions)s new "
                    "institutions."
                )
                % counts
            )
        return (
            _(
                "%(rows)s rows for %(year)s: %(new)s new reports, %(updated)s updated, "
                "%(unchanged)s unchanged; %(institutions)s new institutions."
            )
            % counts
        )

    def _describe_errors(self):
        total = len(self.errors) + self.errors_not_shown
        if not self.errors_not_shown:
            return _("%(n)s errors: nothing was imported.") % {"n": total}
        return _("%(n)s errors, of which the first %(shown)s are listed: nothing was imported.") % {
            "n": f"{total:,}",
            "shown": len(self.errors),
        }

    def _describe_stop(self):
        if not self.stopped:
            return ""
        if self.rows_not_checked is None:
            return _(
                "Checking stopped at line %(line)s, more than %(max)s errors having been found; "
                "the rest of the file was not checked."
            ) % {"line": self.stopped_at_line, "max": MAX_ERRORS}
        return _(
            "Checking stopped at line %(line)s, more than %(max)s errors having been found; "
            "%(rows)s more rows were not checked."
        ) % {
            "line": self.stopped_at_line,
            "max": MAX_ERRORS,
            "rows": f"{self.rows_not_checked:,}",
        }


def import_file(
    source,
    *,
    year=None,
    dry_run=False,
    name="",
    progress=None,
    keep_outcomes=False,
    user=None,
    mapping=None,
):
    """Import a CSV or XLSX file (path or binary file object).

    Raises `FileRejected` for a file refused whole, `ImportInterrupted` when the database fails.
    """
    table = open_table(source, name=name, header_search_rows=HEADER_SEARCH_ROWS)
    return import_table(
        table.header,
        table.rows,
        year=year,
        dry_run=dry_run,
        progress=progress,
        keep_outcomes=keep_outcomes,
        user=user,
        expected_rows=table.row_count_estimate,
        mapping=mapping,
    )


def import_table(header, rows, *, wait=True, **options):
    """Import rows of text cells under `header`; returns an `ImportSummary`.

    `rows` yields `(line number, cells)`; `progress(n)` is called as rows are handled.
    `keep_outcomes` keeps what happened to each row (for a preview; costs memory per row).
    Changes to existing reports go to the audit trail under `user` (None on the command line).
    `expected_rows` (if known) says how many rows were left unchecked after too many errors.
    `mapping` ({header as the file writes it: item code, or None to ignore the column}) is
    applied before headers are matched by code or label (`interchange.headers`); the header
    may be below title rows (open an XLSX file with `header_search_rows` for that).
    Waits for an import already running, or with `wait=False` raises `ImportBusy`; raises
    `ImportInterrupted` if the database fails meanwhile (nothing is written then).
    """
    try:
        return _import_table(header, rows, wait=wait, **options)
    except IntegrityError:
        raise ImportInterrupted(
            _(
                "Someone changed these institutions or reports while the import ran, so nothing "
                "was written. Run the import again."
            )
        ) from None
    except (OperationalError, InterfaceError):
        raise ImportInterrupted(
            _(
                "The database stopped answering during the import, so nothing was written. Run "
                "the import again when the database is back."
            )
        ) from None


def _import_table(
    header,
    rows,
    *,
    wait,
    year=None,
    dry_run=False,
    progress=None,
    keep_outcomes=False,
    user=None,
    expected_rows=None,
    mapping=None,
):
    summary = ImportSummary(dry_run=dry_run)
    matcher = ColumnMatcher(mapping)
    header_line, header, rows = find_header(matcher, header, rows)
    if header_line != 1:
        summary.header_line = header_line
        summary.add_notice(
            _("The header is line %(line)s: the lines above it were read as titles.")
            % {"line": header_line}
        )
    columns, problems = matcher.read(header)
    header_errors = [RowError(header_line, p.column, p.message) for p in problems]
    codes = {column.code for column in columns.values() if column.code}
    if year is None and YEAR_COLUMN not in codes and not header_errors:
        header_errors = [
            RowError(
                header_line,
                YEAR_COLUMN,
                _("no survey year: give one with --year or in a “year” column."),
            )
        ]
    if header_errors:
        for error in header_errors:
            summary.add_error(error)
        return summary
    summary.columns_mapped = [
        (column.header, column.code) for column in columns.values() if column.header != column.code
    ]
    importer = _Importer(columns, year, summary, keep_outcomes, user)
    rows_read = 0
    with transaction.atomic():
        _lock_imports(wait)
        for chunk in _chunks(rows, CHUNK_ROWS):
            importer.handle(chunk)
            rows_read += len(chunk)
            if progress:
                progress(len(chunk))
            if summary.errors_not_shown or len(summary.errors) >= MAX_ERRORS:
                summary.stopped_at_line = chunk[-1][0]
                if expected_rows is not None:
                    summary.rows_not_checked = max(expected_rows - rows_read, 0)
                break
        importer.finish()
        if not summary.written:
            transaction.set_rollback(True)
    summary.errors.sort()
    return summary


def _lock_imports(wait):
    """Take the import lock for this transaction (PostgreSQL; SQLite serialises writes itself)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
            return
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise ImportBusy(
                _("Another import is running. Try again when it has finished (a minute or so).")
            )


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class _Row:
    line: int
    year: int | None
    values: dict
    notes: list = field(default_factory=list)


def _has_code(row):
    return row.values.get("inst_code") not in (None, INVALID)


def _cell(cells, index):
    """The text of a row's cell under column `index`; a short row's missing cells are blank."""
    return cells[index] if index < len(cells) else ""


class _Importer:
    def __init__(self, columns, year, summary, keep_outcomes, user):
        self.user = user
        self.columns = {index: column.code for index, column in columns.items() if column.code}
        self.ignored = {index for index, column in columns.items() if not column.code}
        # Errors name a column as the file does, with the item it was read as.
        self.column_names = {column.code: column.name for column in columns.values() if column.code}
        self.year = year
        self.summary = summary
        self.keep_outcomes = keep_outcomes
        self.parser = ValueParser()
        self.report_items = [item for item in instrument.items() if item.on_report]
        self.items = instrument.items_by_code()
        self.not_asked = {}  # survey year -> `_not_asked(year)`
        self.year_index = next(
            (index for index, code in self.columns.items() if code == YEAR_COLUMN), None
        )
        self.first_line_of = {}
        self.cycles = {}

    def handle(self, chunk):
        parsed = [row for row in map(self._parse, chunk) if row is not None]
        self.summary.rows += len(parsed)
        existing = Institution.objects.by_code_in_any_case(
            row.values["inst_code"] for row in parsed if _has_code(row)
        )
        checked = [row for row in parsed if self._check(row, existing)]
        # A dry run writes too, inside the transaction it rolls back, so its counts are true.
        if self.summary.ok:
            for year in sorted({row.year for row in checked}):
                existing = self._write(year, [row for row in checked if row.year == year], existing)

    def finish(self):
        if not self.summary.rows and self.summary.ok:
            line = self.summary.header_line + 1
            self.summary.errors.append(RowError(line, "—", _("the file has no data rows.")))
        self.summary.years = sorted(self.cycles)

    def _error(self, line, column, message):
        self.summary.add_error(RowError(line, self.column_names.get(column, column), str(message)))

    def _parse(self, numbered_cells):
        line, cells = numbered_cells
        if not any(cell.strip() for cell in cells):
            return None
        if len(cells) > len(self.columns) and any(
            cell.strip()
            for index, cell in enumerate(cells)
            if index not in self.columns and index not in self.ignored
        ):
            self._error(line, "—", _("the row has more cells than the header has columns."))
        values, year, not_asked = {}, self.year, self._not_asked(self.year)
        if self.year_index is not None:
            try:
                year = self._year(_cell(cells, self.year_index))
                not_asked = self._not_asked(year)
            except InvalidValue as error:
                self._error(line, YEAR_COLUMN, error)
                values[YEAR_COLUMN] = INVALID
                # What the row's cycle asks is not known until its year is corrected.
                not_asked = frozenset()
        for index, code in self.columns.items():
            if code == YEAR_COLUMN:
                continue
            text = _cell(cells, index)
            if code in not_asked:
                # The column may be there, blank: the item is not reported, as it cannot be.
                if text.strip() or isinstance(text, UnreadableCell):
                    message = instrument.not_asked_message(self.items[code], year)
                    self._error(line, code, message)
                    values[code] = INVALID
                continue
            try:
                values[code] = self.parser.parse(code, text)
            except InvalidValue as error:
                self._error(line, code, error)
                values[code] = INVALID
        code = values.get("inst_code")
        if code is None:
            self._error(line, "inst_code", _("every row needs an institution code."))
        elif code is not INVALID:
            # Codes are one whatever their case: `nm51-0002` twice as `NM51-0002` is twice.
            first_line = self.first_line_of.setdefault((year, code.upper()), line)
            if first_line != line:
                self._error(
                    line,
                    "inst_code",
                    _("institution %(code)s appears twice in the file (also on line %(first)s).")
                    % {"code": code, "first": first_line},
                )
        return _Row(line, year, values)

    def _not_asked(self, year):
        """The file's columns of items the cycle of `year` does not ask (none when no year)."""
        if year not in self.not_asked:
            self.not_asked[year] = frozenset(
                code
                for code in self.columns.values()
                if code != YEAR_COLUMN and not self.items[code].asked_in(year)
            )
        return self.not_asked[year]

    def _year(self, text):
        if not text.strip():
            if self.year is None:
                raise InvalidValue(_("the survey year is missing."))
            return self.year
        year = parse_year(text)
        if self.year is not None and year != self.year:
            raise InvalidValue(
                _("the year %(row)s differs from the survey year %(year)s being imported.")
                % {"row": year, "year": self.year}
            )
        return year

    def _check(self, row, existing):
        """Apply the registry's identity where the file leaves it out, then the rules."""
        values = row.values
        if row.year is None or any(value is INVALID for value in values.values()):
            return False
        institution = existing.get(values["inst_code"].upper())
        if institution is not None and institution.code != values["inst_code"]:
            note = _("%(file)s is the registry's %(registry)s (codes are one in any case)") % {
                "file": values["inst_code"],
                "registry": institution.code,
            }
            self.summary.add_notice(
                _("line %(line)s, column inst_code: %(note)s.") % {"line": row.line, "note": note}
            )
            row.notes.append(note)
            values["inst_code"] = institution.code
        if institution is None:
            if not values.get("province"):
                self._error(row.line, "province", _("a new institution needs its province."))
                return False
        else:
            for code in NAME_ITEMS:
                if not values.get(code):
                    values[code] = (
                        getattr(institution, instrument.IDENTITY_ATTRIBUTES[code]) or None
                    )
        full = dict.fromkeys(instrument.item_codes()) | values
        for problem in rules.check(full):
            if problem.blocking:
                column = next((c for c in problem.items if c in values), problem.item)
                self._error(row.line, column, problem.message)
        return True

    def _cycle(self, year):
        """The year's cycle, and whether its rows may update the registry (latest year only).

        Asked again for every chunk: a later year further down the file creates its cycle.
        """
        if year not in self.cycles:
            self.cycles[year], _created = Cycle.objects.get_or_create(year=year)
        latest = not Cycle.objects.filter(year__gt=year).exists()
        return self.cycles[year], latest

    def _write(self, year, rows, existing):
        cycle, updates_registry = self._cycle(year)
        institutions = self._write_institutions(rows, existing, updates_registry)
        reports = {
            report.institution_id: report
            for report in Report.objects.filter(
                cycle=cycle,
                institution__in=[institutions[r.values["inst_code"].upper()].pk for r in rows],
            )
        }
        new, changed, changed_fields, audited = [], [], set(), []
        now = timezone.now()
        for row in rows:
            institution = institutions[row.values["inst_code"].upper()]
            report = reports.get(institution.pk)
            outcome = RowOutcome(row.line, year, institution.code, "skip", notes=row.notes)
            if report is None:
                report = Report(institution=institution, cycle=cycle, status=ReportStatus.ACCEPTED)
                new.append(report)
                outcome.action = "new"
            for item in self.report_items:
                value = instrument.stored(item, row.values.get(item.code))
                old = getattr(report, item.code)
                if old != value:
                    setattr(report, item.code, value)
                    if outcome.action != "new":
                        outcome.action = "update"
                        outcome.changes[item.code] = (old, value)
                        changed_fields.add(item.code)
            if outcome.action == "update":
                report.updated_at = now
                # Forms loaded before this import must not overwrite it (optimistic locking).
                report.version = F("version") + 1
                changed.append(report)
                audited.append(
                    (
                        report,
                        {code: old for code, (old, _new) in outcome.changes.items()},
                        {code: new for code, (_old, new) in outcome.changes.items()},
                    )
                )
            self._count(outcome)
        Report.objects.bulk_create(new)
        if changed:
            Report.objects.bulk_update(changed, [*sorted(changed_fields), "updated_at", "version"])
            audit.record_many(audited, user=self.user, source=ChangeSource.IMPORT)
        if new or changed:
            versions.changed(year)
        return institutions

    def _count(self, outcome):
        attribute = {
            "new": "reports_created",
            "update": "reports_updated",
            "skip": "reports_unchanged",
        }[outcome.action]
        setattr(self.summary, attribute, getattr(self.summary, attribute) + 1)
        if self.keep_outcomes:
            self.summary.outcomes.append(outcome)

    def _write_institutions(self, rows, existing, updates_registry):
        """Create new institutions; update known ones only from the latest survey year."""
        created, updated = [], []
        result = dict(existing)
        for row in rows:
            values = row.values
            institution = result.get(values["inst_code"].upper())
            if institution is None:
                institution = Institution(code=values["inst_code"])
                created.append(institution)
                result[institution.code.upper()] = institution
                _apply_identity(institution, values, replace_blank=True)
            elif updates_registry and _apply_identity(institution, values):
                updated.append(institution)
        Institution.objects.bulk_create(created)
        if updated:
            Institution.objects.bulk_update(updated, REGISTRY_FIELDS)
            versions.changed(*Cycle.objects.values_list("year", flat=True))
        self.summary.institutions_created += len(created)
        self.summary.institutions_updated += len(updated)
        return result


INVALID = object()
# What a file's row may change in the registry: every identity value but the code it is found by.
REGISTERED_ITEMS = [code for code in instrument.IDENTITY_FIELDS if code != "inst_code"]
REGISTRY_FIELDS = [
    *(instrument.IDENTITY_FIELDS[code] for code in REGISTERED_ITEMS),
    *instrument.PROFILE_ITEMS,
]
IDENTITY_ATTRIBUTES = {
    **{code: instrument.IDENTITY_ATTRIBUTES[code] for code in REGISTERED_ITEMS},
    **{code: code for code in instrument.PROFILE_ITEMS},
}


def _apply_identity(institution, values, replace_blank=False):
    """Copy the file's names, province and classification; True if anything changed.

    A blank cell leaves a known institution's value as it is.
    """
    changed = False
    for code, attribute in IDENTITY_ATTRIBUTES.items():
        value = values.get(code)
        if value is None and not replace_blank:
            continue
        value = value if value is not None else ""
        if getattr(institution, attribute) != value:
            setattr(institution, attribute, value)
            changed = True
    return changed
