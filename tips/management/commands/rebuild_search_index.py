from django.core.management.base import BaseCommand
from django.db import connection

from tips import search_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index of tips (SQLite FTS5 or PostgreSQL GIN)."

    def handle(self, *args, **options):
        search_index.rebuild(connection)
        self.stdout.write(f"Search index rebuilt on {connection.vendor}.")
