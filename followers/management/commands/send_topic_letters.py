import datetime

from django.core.management.base import BaseCommand, CommandError

from followers import services
from followers.models import week_start


class Command(BaseCommand):
    help = (
        "Send each confirmed subscriber the week's letter of each topic they follow, exactly "
        "once (run weekly from cron; running it again, or two at once, sends nothing twice)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--week",
            type=datetime.date.fromisoformat,
            help="Any day of the week to send (YYYY-MM-DD); by default the last whole week.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Letters sent over one SMTP connection (default 500).",
        )

    def handle(self, *args, week=None, batch_size: int, **options):
        week = week_start(week) if week else services.default_letter_week()
        planned = services.topic_letters_plan(week=week)
        due = services.letters_due(week=week)
        self.stdout.write(f"Week of {week}: {due} letter(s) to send ({planned} newly planned).")

        def progress(sent: int) -> None:
            self.stdout.write(f"Sent {sent} of {due} letters.")
            self.stdout.flush()

        try:
            sent = services.topic_letters_send(week=week, batch_size=batch_size, progress=progress)
        except OSError as error:  # smtplib's errors included
            raise CommandError(
                f"The mail server failed ({error}). What was sent stays sent: "
                "run the command again to send the rest."
            ) from error
        self.stdout.write(f"Done: {sent} letter(s) sent for the week of {week}.")
