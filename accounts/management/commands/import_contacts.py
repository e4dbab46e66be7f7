from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services import ContactsError, import_contacts, send_password_resets


class Command(BaseCommand):
    help = (
        "Create or update platform users from a CSV of institution contacts, all or nothing. "
        "Columns: inst_code, name, email, role, province (email and role required; role is "
        "reporter, coordinator, analyst or admin; reporters need inst_code, coordinators "
        "province as code or name). The username is the e-mail address. New users get a random "
        "password nobody knows: they set their own with 'Forgot your password?' on the login "
        "page, or with the e-mail that --send-reset sends them. Running the same file again "
        "changes nothing. Every bad line is reported and then nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8, UTF-8 with BOM, or GB18030) or XLSX file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and write nothing"
        )
        parser.add_argument(
            "--send-reset",
            metavar="DOMAIN",
            help="e-mail each new user a link to set their password, on this site domain",
        )

    def handle(self, *args, file, dry_run, send_reset, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with path.open("rb") as stream:
                result = import_contacts(stream, dry_run=dry_run)
        except ContactsError as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(
                f"{len(error.errors)} error(s) in {path.name}: nothing was imported"
            ) from None
        prefix = "dry run, nothing written: would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {len(result.created)}, updated {len(result.updated)}, "
            f"unchanged {len(result.unchanged)}"
        )
        if send_reset and not dry_run:
            sent = send_password_resets(result.created, domain=send_reset)
            self.stdout.write(f"password e-mails sent: {sent}")
        elif result.created and not dry_run:
            self.stdout.write(
                "New users set their password with 'Forgot your password?' on the login page."
            )
