from django.conf import settings
from django.core.management.base import BaseCommand

from tips.services import search_misses_prune


class Command(BaseCommand):
    help = "Forget searches without results that nobody has made within the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SEARCH_MISS_RETENTION_DAYS,
            help="Keep searches made within this many days (default: SEARCH_MISS_RETENTION_DAYS).",
        )

    def handle(self, *args, days: int, **options):
        pruned = search_misses_prune(days=days)
        self.stdout.write(f"Forgot {pruned} search(es) without results not made in {days} days.")
