"""The site's URLconf with the benchmark's own addresses in front (bench/settings.py)."""

from django.urls import path

from bench import views
from tipsite.urls import handler400, handler500  # noqa: F401 - Django reads them from here
from tipsite.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/baseline/", views.baseline),
    path("bench/cache/clear/", views.clear_caches),
    *site_urlpatterns,
]
