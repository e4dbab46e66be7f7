import sys

from django.core.management.base import BaseCommand, CommandError

from departments.models import Province
from interchange.exporting import FORMATS, reports_for_export, write


class Command(BaseCommand):
    help = "Export survey reports in the interchange format (CSV with BOM, or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="one survey year (default: every year)")
        parser.add_argument("--province", help="one province, by code or name")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument(
            "-o", "--output", help="file to write (default: standard output, CSV only)"
        )

    def handle(self, *args, year, province, format, output, **options):
        province_code = None
        if province:
            found = Province.objects.resolve(province)
            if found is None:
                raise CommandError(f"{province}: no such province")
            province_code = found.code
        reports = reports_for_export(year=year, province=province_code)
        if output:
            with open(output, "wb") as stream:
                replaced = write(reports, stream, format)
            self.stderr.write(f"{reports.count()} reports written to {output}")
        elif format == "xlsx":
            raise CommandError("XLSX needs a file: pass --output FILE.xlsx")
        else:
            self.stdout.flush()
            replaced = write(reports, sys.stdout.buffer, format)
        if replaced:
            self.stderr.write(
                f"{replaced} cells held control characters (stored before they were refused), "
                "written as U+FFFD so that the file imports again."
            )
