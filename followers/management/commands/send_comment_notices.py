from django.core.management.base import BaseCommand, CommandError

from followers import services


class Command(BaseCommand):
    help = (
        "Send the comment notices a failed mail server left unsent, each exactly once "
        "(they are normally sent as a comment is published; run from cron every few minutes)."
    )

    def handle(self, *args, **options):
        try:
            sent = services.comment_notices_send()
        except OSError as error:
            raise CommandError(f"The mail server failed ({error}); run again later.") from error
        self.stdout.write(f"Sent {sent} comment notice(s).")
