from django.contrib.admin.apps import AdminConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(*, using: str, **kwargs) -> None:
    """The database cache's table, made by every ``migrate`` (nothing to do when it exists or
    the cache lives elsewhere), so no setup step can be forgotten."""
    call_command("createcachetable", database=using, verbosity=0)


class TipSiteAdminConfig(AdminConfig):
    default_site = "tipsite.admin.TipSiteAdminSite"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401 - registers the demo-password check

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="tipsite-cache-table")
