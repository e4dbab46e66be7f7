from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_PROVINCE, create_demo_users
from survey.demo import demo_statuses, generate_demo_rows
from survey.models import Report
from survey.services import replace_cycle


class Command(BaseCommand):
    help = (
        "Load the demo survey (deterministic): the 2019 baseline and 2023, open for reporting, "
        "its reports accepted but for a few still in review, and one demo account per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when reports exist already (so `make run` keeps your changes)",
        )

    def handle(self, *args, if_empty, **options):
        reporter_code = None
        if if_empty and Report.objects.exists():
            self.stdout.write("Reports exist already: demo data not loaded again.")
        else:
            cycles = generate_demo_rows()
            latest = max(cycles)
            # The demo reporter's report stays a draft, for them to fill in and submit.
            reporter_code = min(
                row["inst_code"] for row in cycles[latest] if row["province"] == DEMO_PROVINCE
            )
            for year, rows in sorted(cycles.items()):
                is_open = year == latest
                statuses = demo_statuses(rows, is_open=is_open, keep_draft=[reporter_code])
                count = replace_cycle(year=year, rows=rows, is_open=is_open, statuses=statuses)
                self.stdout.write(f"{year}: {count} reports")
        accounts = create_demo_users(reporter_institution_code=reporter_code)
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for username, description in accounts.items():
            self.stdout.write(f"  {username}: {description}")
