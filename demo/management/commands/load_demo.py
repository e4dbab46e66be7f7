from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_PASSWORD, create_demo_users
from demo.loading import DemoCycleRefused, load_demo_files, open_cycle
from survey.models import Report


class Command(BaseCommand):
    help = (
        "Load the demo survey (fixtures/demo/, through the importer): the 2019 baseline and "
        "2023, open for reporting, its reports accepted but for a few still in review, and one "
        "demo account per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when reports exist already (so `make run` keeps your changes)",
        )
        parser.add_argument(
            "--open-cycle",
            type=int,
            metavar="YEAR",
            help=(
                "also open the survey of YEAR (later than the demo's cycles, e.g. 2028) for "
                "reporting: the demo reporter can then start its report of that year's "
                "instrument; the demo's cycles stay as they are, and opening it again keeps "
                "its reports"
            ),
        )

    def handle(self, *args, if_empty, open_cycle, **options):
        if open_cycle is not None:
            self._open(open_cycle)
        reporter_code = None
        if if_empty and Report.objects.exists():
            self.stdout.write("Reports exist already: demo data not loaded again.")
        else:
            loaded = load_demo_files()
            reporter_code = loaded.reporter_institution
            for year, count in loaded.counts.items():
                self.stdout.write(f"{year}: {count} reports")
        accounts = create_demo_users(reporter_institution_code=reporter_code)
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for username, description in accounts.items():
            self.stdout.write(f"  {username}: {description}")

    def _open(self, year):
        try:
            cycle = open_cycle(year)
        except DemoCycleRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"{cycle.year}: open for reporting")
