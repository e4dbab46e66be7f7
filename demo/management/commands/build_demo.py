from django.core.management.base import BaseCommand, CommandError

from demo.generate import stale_demo_files, write_demo_files
from demo.loading import DEMO_DIR


class Command(BaseCommand):
    help = (
        "Rebuild the demo files under fixtures/demo/ with the generator (demo.generate); "
        "tests/test_demo.py then loads them and checks every figure of published-2023.csv."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; fail if the committed files differ from what the generator makes",
        )

    def handle(self, *args, check, **options):
        if check:
            stale = stale_demo_files()
            if stale:
                raise CommandError(f"out of date (run manage.py build_demo): {', '.join(stale)}")
            self.stdout.write("The demo files are what the generator makes.")
            return
        for name, size in write_demo_files().items():
            self.stdout.write(f"{DEMO_DIR / name}: {size:,} bytes")
