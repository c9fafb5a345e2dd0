from django.core.management.base import BaseCommand

from requests_app.services import tip_requests_send_notices


class Command(BaseCommand):
    help = (
        "E-mail requesters whose answering tip has gone live. Safe to run from cron every minute, "
        "and in several copies at once: each notice is sent exactly once."
    )

    def handle(self, *args, **options):
        sent = tip_requests_send_notices()
        self.stdout.write(f"Sent {sent} notice(s).")
