from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate, pre_save


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
    from .reads import next_go_live

    return next(iter(next_go_live(now=now)), None)


# Categories' tip counts follow every save and delete of a tip, whoever makes it: the admin's
# forms and bulk deletes, a restored version, a command. Bulk updates call the service themselves.
def _counted(update_fields) -> bool:
    """Whether a save of these fields may change what categories count."""
    return update_fields is None or bool({"status", "category", "category_id"} & set(update_fields))


def _note_stored_category(sender, instance, update_fields=None, **kwargs):
    """Before a tip is saved: the category it is stored in now, which may lose a tip."""
    if instance.pk is not None and _counted(update_fields):
        stored = sender._base_manager.filter(pk=instance.pk).values_list("category_id", flat=True)
        instance._stored_category_id = stored.first()


def _recount_saved(sender, instance, update_fields=None, **kwargs):
    if not _counted(update_fields):
        return
    from .services import categories_recount

    stored = instance.__dict__.pop("_stored_category_id", None)
    categories_recount(category_ids=[stored, instance.category_id])


def _recount_deleted(sender, instance, **kwargs):
    from .services import categories_recount

    categories_recount(category_ids=[instance.category_id])


def _recount_category(sender, instance, raw=False, **kwargs):
    """A category saved (renamed, say) wrote the count it was loaded with: count again."""
    from .services import categories_recount

    categories_recount(category_ids=[instance.pk])


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

        tip = self.get_model("Tip")
        pre_save.connect(_note_stored_category, sender=tip, dispatch_uid="tips.stored_category")
        post_save.connect(_recount_saved, sender=tip, dispatch_uid="tips.recount_saved")
        post_delete.connect(_recount_deleted, sender=tip, dispatch_uid="tips.recount_deleted")
        post_save.connect(
            _recount_category,
            sender=self.get_model("Category"),
            dispatch_uid="tips.recount_category",
        )

        from tipsite import pagecache

        for model in ("Topic", "Category", "Tip", "Guru"):
            pagecache.watch(self.get_model(model))
        pagecache.changes_at(_next_go_live)
