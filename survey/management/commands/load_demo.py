from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, create_demo_users
from survey.demo import generate_demo_rows
from survey.models import Report
from survey.services import replace_cycle


class Command(BaseCommand):
    help = (
        "Load the demo survey (deterministic): the 2019 baseline and 2023, open for reporting, "
        "and one demo account per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when reports exist already (so `make run` keeps your changes)",
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and Report.objects.exists():
            self.stdout.write("Reports exist already: demo data not loaded again.")
        else:
            cycles = generate_demo_rows()
            latest = max(cycles)
            for year, rows in sorted(cycles.items()):
                count = replace_cycle(year=year, rows=rows, is_open=year == latest)
                self.stdout.write(f"{year}: {count} reports")
        accounts = create_demo_users()
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for username, description in accounts.items():
            self.stdout.write(f"  {username}: {description}")
