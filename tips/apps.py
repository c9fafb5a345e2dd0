from django.apps import AppConfig
from django.apps import apps as global_apps
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
    (analysis_limit) misjudged how many tips are public and made counting them much slower."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 0")
            cursor.execute("ANALYZE")


def _next_go_live(now):
    """When the next scheduled tip goes live (None: none is scheduled)."""
    from .models import Tip

    return (
        Tip.objects.filter(status=Tip.Status.PUBLISHED, publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )


def _sync_groups(sender, apps=global_apps, **kwargs):
    # ``flush`` sends the signal too, without a migration state: the live registry serves then.
    from .editors import sync_groups

    sync_groups(apps)


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
        # Once per migrate, after every app's migrations: sync_groups creates the permissions
        # of each app it names itself, so it need not wait for their own post_migrate.
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="tips.sync_groups")

        from tipsite import pagecache

        for model in ("Topic", "Category", "Tip", "Guru"):
            pagecache.watch(self.get_model(model))
        pagecache.changes_at(_next_go_live)
