from django.conf import settings
from django.utils.functional import SimpleLazyObject

from tipsite.pagecache import remember

from . import reads
from .addresses import slug_paths
from .seo import canonical_url


def menu_topics() -> list[dict]:
    """Every topic site, for the header's menu and the 404 page: read once per content version
    (a query and twenty addresses were a tenth of a tip page's render)."""
    return remember("tips:menu-topics", lambda: _entries(reads.menu_topics()), shared=False)


def menu_entries(topics) -> list[dict]:
    """The menu's entry for each of ``topics``, in their order."""
    return _entries((topic.name, topic.slug, topic.tagline) for topic in topics)


def _entries(rows) -> list[dict]:
    topic_path = slug_paths("tips:topic", "slug")
    return [
        {"name": name, "url": topic_path(slug=slug), "tagline": tagline}
        for name, slug, tagline in rows
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
