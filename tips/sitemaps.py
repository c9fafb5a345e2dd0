"""Sitemap sections: every public page, with when it last changed.

Only tips are dated, so a topic, category or guru page changed when its newest public tip did. A
scheduled tip goes live at its publish time without being saved again, so that time counts as a
change as well as ``updated_at``.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Greatest
from django.urls import reverse

from .models import Category, Guru, Tip, Topic


def last_change(tips: str):
    """Annotation: the latest change among the public tips reached through the relation ``tips``.

    None when there are none, which is how sections leave out pages without public tips.
    """
    return Max(
        Greatest(f"{tips}__updated_at", f"{tips}__publish_at"),
        filter=Q(**{f"{tips}__in": Tip.objects.published()}),
    )


class DatedSitemap(Sitemap):
    """A section whose items carry a ``lastmod`` annotation.

    Items come oldest first, so a new page joins the last file instead of shifting every file.
    """

    # The sitemap protocol's most URLs per file; longer sections continue on ?p=2 and so on.
    limit = 50_000

    def lastmod(self, item):
        return item.lastmod

    def get_latest_lastmod(self):
        # The sitemap index asks for this; the database answers without loading every row.
        return self.items().aggregate(latest=Max("lastmod"))["latest"]


class HomeSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["tips:home"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        # The home page lists the newest tips of the network.
        published = Tip.objects.published()
        return published.aggregate(latest=Max(Greatest("updated_at", "publish_at")))["latest"]


class TipSitemap(DatedSitemap):
    def items(self):
        return (
            Tip.objects.published()
            .select_related("category__topic")
            # A file holds up to 50,000 tips: load only what their addresses need, not bodies.
            .only("slug", "category__slug", "category__topic__slug")
            .annotate(lastmod=Greatest("updated_at", "publish_at"))
            .order_by("pk")
        )


class TopicSitemap(DatedSitemap):
    def items(self):
        return (
            Topic.objects.annotate(lastmod=last_change("categories__tips"))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )


class CategorySitemap(DatedSitemap):
    def items(self):
        return (
            Category.objects.select_related("topic")
            .annotate(lastmod=last_change("tips"))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )


class GuruSitemap(DatedSitemap):
    def items(self):
        return (
            Guru.objects.annotate(lastmod=last_change("tips"))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )


sitemaps = {
    "home": HomeSitemap,
    "tips": TipSitemap,
    "topics": TopicSitemap,
    "categories": CategorySitemap,
    "gurus": GuruSitemap,
}
