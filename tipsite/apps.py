from django.contrib.admin.apps import AdminConfig


class TipSiteAdminConfig(AdminConfig):
    default_site = "tipsite.admin.TipSiteAdminSite"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401 - registers the demo-password check
