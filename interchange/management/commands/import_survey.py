import argparse
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from config.locks import waiting_without_limit
from interchange.files import FileRejected, open_table
from interchange.headers import HEADER_SEARCH_ROWS
from interchange.importing import ImportInterrupted, import_table
from interchange.models import ColumnMapping
from interchange.parsing import InvalidValue, parse_year


def survey_year(text):
    try:
        return parse_year(text)
    except InvalidValue as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def column_mapping(name_or_path):
    """The columns of the mapping saved as `name_or_path` in the admin's mapping step, or of
    the JSON file at that path: {header as the file writes it: item code, or null to ignore
    the column}. Returns (what to call the mapping, its columns)."""
    saved = ColumnMapping.objects.filter(name=name_or_path.strip()).first()
    if saved is not None:
        return f"“{saved.name}”", saved.columns
    path = Path(name_or_path)
    if not path.is_file():
        names = ", ".join(ColumnMapping.objects.values_list("name", flat=True)) or "none"
        raise CommandError(
            f"{name_or_path}: neither a saved mapping (saved: {names}) nor a mapping file"
        )
    try:
        with path.open(encoding="utf-8") as file:
            mapping = json.load(file)
    except (OSError, ValueError) as error:
        raise CommandError(f"{path}: {error}") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(code, str | None) for code in mapping.values()
    ):
        raise CommandError(
            f"{path}: not a JSON object of header -> item code (or null to ignore the column)"
        )
    return str(path), mapping


class Command(BaseCommand):
    help = (
        "Import one survey year from a CSV or XLSX file in the interchange format. "
        "All or nothing: any error means nothing is written, and every error is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument(
            "--year", type=survey_year, help="the survey year (else the file's year column)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, write nothing"
        )
        parser.add_argument(
            "--mapping",
            metavar="NAME|FILE.json",
            help=(
                "a mapping saved in the admin's import, by its name, or a JSON file: the "
                "file's header -> item code, or null to ignore the column"
            ),
        )
        parser.add_argument(
            "--language", default="en", choices=["en", "zh-hans"], help="language of the messages"
        )

    def handle(self, *args, language, **options):
        # Not a web request: waits for a reporter's save as long as it takes (config.locks).
        with translation.override(language), waiting_without_limit():
            self.import_survey(**options)

    def import_survey(self, *, file, year, dry_run, mapping, **options):
        if mapping is not None:
            mapping_name, mapping = column_mapping(mapping)
        try:
            table = open_table(file, header_search_rows=HEADER_SEARCH_ROWS)
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except FileRejected as rejected:
            raise CommandError(f"{file}: {rejected}") from None
        with tqdm(
            total=table.row_count_estimate,
            unit=" rows",
            file=sys.stderr,
            disable=None,
            desc="import",
        ) as bar:
            try:
                summary = import_table(
                    table.header,
                    table.rows,
                    year=year,
                    dry_run=dry_run,
                    progress=bar.update,
                    expected_rows=table.row_count_estimate,
                    mapping=mapping,
                )
            except (FileRejected, ImportInterrupted) as refused:
                raise CommandError(f"{file}: {refused}") from None
        if mapping is not None:
            self.stdout.write(_("Mapping used: %(mapping)s") % {"mapping": mapping_name})
        if summary.columns_mapped:
            self.stdout.write(_("Columns not headed by their item code:"))
        for header, code in summary.columns_mapped:
            self.stdout.write(f"{header} → {code or _('ignored')}")
        for notice in summary.notice_lines():
            self.stdout.write(notice)
        for error in summary.errors:
            self.stderr.write(str(error))
        if not summary.ok:
            raise CommandError(summary.describe())
        self.stdout.write(summary.describe())
