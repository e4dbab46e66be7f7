from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.roles import Scope
from departments.models import Province
from notices.reminders import CycleClosed, remind
from survey.models import Cycle


class Command(BaseCommand):
    help = (
        "Remind the reporters of every institution that has not submitted its report for the "
        "open survey (at most once per SURVEY_REMINDER_INTERVAL_DAYS); prints who was reminded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the survey year (default: the open one)")
        parser.add_argument("--province", help="one province's GB/T 2260 code (default: all)")
        parser.add_argument(
            "--dry-run", action="store_true", help="say who would be reminded; send nothing"
        )

    def handle(self, *args, year, province, dry_run, **options):
        cycles = Cycle.objects.filter(is_open=True) if year is None else Cycle.objects.all()
        cycle = (cycles if year is None else cycles.filter(year=year)).first()
        if cycle is None:
            raise CommandError(f"No survey cycle {year}." if year else "No survey is open.")
        found = None
        if province:
            # Two digits, or nothing to look up (PostgreSQL refuses a NUL in a query).
            found = Province.objects.filter(code=province).first() if province.isdigit() else None
            if found is None:
                raise CommandError(f"No province with the code {province!r}.")
        try:
            done = remind(
                Scope(None, everything=True),
                cycle,
                now=timezone.now(),
                province=found,
                dry_run=dry_run,
            )
        except CycleClosed as error:
            raise CommandError(error.message) from error
        verb = "would remind" if dry_run else "reminded"
        for institution, to in done.reminded:
            self.stdout.write(f"{verb} {institution.code} {institution.name}: {', '.join(to)}")
        for institution, at in done.recent:
            when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"skipped {institution.code}: reminded on {when}")
        for institution in done.unreachable:
            self.stdout.write(f"skipped {institution.code}: no reporter with an e-mail address")
        self.stdout.write(
            f"{cycle.year}: {len(done.reminded)} {verb}, "
            f"{len(done.recent)} reminded recently, {len(done.unreachable)} without a reporter."
        )
