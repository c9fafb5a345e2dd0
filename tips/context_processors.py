from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Topic
from .seo import canonical_url


def menu_topics() -> list[dict]:
    """Every topic site, for the header's menu and the 404 page.

    One small query when a page renders (cached pages render once per content version), and not
    kept in the cache: pages that are never cached, such as the 404, then never ask it.
    """
    return [
        {"name": topic.name, "url": topic.get_absolute_url(), "tagline": topic.tagline}
        for topic in Topic.objects.order_by("name").only("name", "slug", "tagline")
    ]


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "canonical_url": canonical_url(request),
        # Lazy: read once, and only by pages that show it (not feeds, JSON or the admin).
        "menu_topics": SimpleLazyObject(menu_topics),
    }
