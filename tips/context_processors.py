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
        lambda: menu_entries(Topic.objects.order_by("name").only("name", "slug", "tagline")),
    )


def menu_entries(topics) -> list[dict]:
    """The menu's entry for each of ``topics``, in their order."""
    return [
        {"name": topic.name, "url": topic.get_absolute_url(), "tagline": topic.tagline}
        for topic in topics
    ]


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "canonical_url": canonical_url(request),
        # Lazy: read once, and only by pages that show it (not feeds, JSON or the admin). A view
        # that reads every topic anyway hands the menu over (``request.menu_topics``): on the
        # request, as Django's Jinja2 backend puts context processors' values above the view's.
        "menu_topics": SimpleLazyObject(
            lambda: getattr(request, "menu_topics", None) or menu_topics()
        ),
    }
