import json

from django.core.management.base import BaseCommand, CommandError

from departments.models import Province
from reports import privacy
from reports.exporting import aggregates, aggregates_csv
from survey.models import Cycle


class Command(BaseCommand):
    help = (
        "Print every national (or provincial) figure of a survey year, as JSON or CSV. A figure "
        'the year\'s cycle did not ask has "asked": false; growth over cycles that asked '
        'different items is over the items both asked ("shared").'
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--baseline", type=int, help="the earlier year to compare with")
        parser.add_argument("--province", help="GB/T 2260 code, e.g. 51")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, year, baseline, province, format, **options):
        for wanted in (year, baseline):
            if wanted is not None and not Cycle.objects.filter(year=wanted).exists():
                raise CommandError(f"No survey cycle {wanted}.")
        if province is not None and not Province.objects.filter(code=province).exists():
            raise CommandError(f'No province with code "{province}".')
        # Server access: every report and figure, with what the public does not see listed.
        disclosure = privacy.Disclosure(
            entitled=True,
            marked=privacy.hidden_in(year, province),
            marked_baseline=privacy.hidden_in(baseline, province),
        )
        document = aggregates(
            year=year, baseline=baseline, province=province, disclosure=disclosure
        )
        if format == "csv":
            self.stdout.write(aggregates_csv(document), ending="")
        else:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
