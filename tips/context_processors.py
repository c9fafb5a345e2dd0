from django.conf import settings
from django.utils.functional import SimpleLazyObject

from tipsite.pagecache import remember

from .models import Topic
from .seo import canonical_url


def menu_topics() -> list[dict]:
    """Every topic site, for the header's menu and the 404 page: read once per content version
    (a query and twenty addresses were a tenth of a tip page's render)."""
    return remember(
        "tips:menu-topics",
        lambda: [
            {"name": topic.name, "url": topic.get_absolute_url(), "tagline": topic.tagline}
            for topic in Topic.objects.order_by("name").only("name", "slug", "tagline")
        ],
    )


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "canonical_url": canonical_url(request),
        # Lazy: read once, and only by pages that show it (not feeds, JSON or the admin).
        "menu_topics": SimpleLazyObject(menu_topics),
    }
