from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _detach_search_index(sender, using, **kwargs):
    from . import search_index

    search_index.detach(connections[using])


def _attach_search_index(sender, using, **kwargs):
    from . import search_index

    search_index.attach(connections[using])


def _analyze_sqlite(sender, using, **kwargs):
    """SQLite's planner picks the listings' indexes only with statistics, which it never
    gathers by itself: refresh them after every migration. In full: sampled statistics
    (analysis_limit) misjudged how many tips are public and made counting them 9 times slower."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 0")
            cursor.execute("ANALYZE")


class TipsConfig(AppConfig):
    name = "tips"
    verbose_name = "Tips"

    def ready(self):
        # SQLite drops a table's triggers when a migration rebuilds it; the search index's
        # triggers are therefore taken off before migrating and put back (and the index
        # refilled) after. PostgreSQL's index needs neither.
        pre_migrate.connect(_detach_search_index, sender=self)
        post_migrate.connect(_attach_search_index, sender=self)
        post_migrate.connect(_analyze_sqlite, sender=self)

        from tipsite import pagecache

        for model in ("Topic", "Category", "Tip", "Guru"):
            pagecache.watch(self.get_model(model))
