from django.contrib.admin.apps import AdminConfig


class TipSiteAdminConfig(AdminConfig):
    default_site = "tipsite.admin.TipSiteAdminSite"
