import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve

from tips.sitemaps import section as sitemap_section
from tips.sitemaps import sitemaps

from . import views
from .editorial.views import content_gaps, mark_reviewed
from .pagecache import cache_page_for_readers

admin.site.site_header = f"{settings.SITE_NAME} editors"
admin.site.site_title = f"{settings.SITE_NAME} editors"
admin.site.index_title = "Content"

handler400 = "tipsite.views.bad_request"
# The tips app's: it offers the tips the missing address may have meant.
handler404 = "tips.views.page_not_found"
handler500 = "tipsite.views.server_error"

urlpatterns = [
    path(
        f"{settings.ADMIN_URL}content-gaps/",
        admin.site.admin_view(content_gaps),
        name="content-gaps",
    ),
    path(
        f"{settings.ADMIN_URL}content-gaps/<int:tip_id>/reviewed/",
        admin.site.admin_view(mark_reviewed),
        name="content-gaps-reviewed",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("forms/token/", views.form_token, name="form-token"),
    path("favicon.ico", views.favicon),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        cache_page_for_readers(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page_for_readers(sitemap_section, params=("p",)),
        name="sitemap-section",
    ),
    path("feeds/", include("tips.feed_urls")),
    path("", include("comments.urls")),
    path("", include("requests_app.urls")),
    path("", include("followers.urls")),
    # The tips app owns the root and its catch-all slug patterns, so it comes last.
    path("", include("tips.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.insert(
        0,
        re_path(
            rf"^{re.escape(media_prefix)}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    )
