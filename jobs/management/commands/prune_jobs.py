from django.core.management.base import BaseCommand

from jobs.services import prune


class Command(BaseCommand):
    help = (
        "End jobs their worker abandoned and delete job files kept long enough "
        "(also done whenever a job starts); run it daily from cron."
    )

    def handle(self, **options):
        prune()
