from django.conf import settings
from django.core.management.base import BaseCommand

from comments.services import comments_erase_old_ips


class Command(BaseCommand):
    help = "Erase the IP address and browser of comments older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.COMMENTS_IP_RETENTION_DAYS,
            help="Keep addresses this many days (default: COMMENTS_IP_RETENTION_DAYS).",
        )

    def handle(self, *args, days: int, **options):
        erased = comments_erase_old_ips(days=days)
        self.stdout.write(f"Erased the IP address of {erased} comment(s) older than {days} days.")
