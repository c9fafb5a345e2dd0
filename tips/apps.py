from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _detach_search_index(sender, using, **kwargs):
    from . import search_index

    search_index.detach(connections[using])


def _attach_search_index(sender, using, **kwargs):
    from . import search_index

    search_index.attach(connections[using])


class TipsConfig(AppConfig):
    name = "tips"
    verbose_name = "Tips"

    def ready(self):
        # SQLite drops a table's triggers when a migration rebuilds it; the search index's
        # triggers are therefore taken off before migrating and put back (and the index
        # refilled) after. PostgreSQL's index needs neither.
        pre_migrate.connect(_detach_search_index, sender=self)
        post_migrate.connect(_attach_search_index, sender=self)

        from tipsite import pagecache

        for model in ("Topic", "Category", "Tip", "Guru"):
            pagecache.watch(self.get_model(model))
