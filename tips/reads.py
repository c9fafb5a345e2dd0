"""What the reader pages a crawler walks ask the database, compiled once (tipsite.statements).

Each function builds its queryset from the values it is given; :class:`Prepared` runs it with
the values of each request. They return rows, not querysets.
"""

from django.db.models import Count

from tipsite.statements import Prepared

from .cards import card_rows
from .models import Category, Tip, Topic


@Prepared
def public_tip(topic: str, category: str, slug: str, now):
    """The tip page's tip, as readers may see it."""
    tips = Tip.objects.for_page().published(now=now)
    return tips.filter(category__topic__slug=topic, category__slug=category, slug=slug)[:1]


@Prepared
def found_tips(ids: list[int]):
    """Tips a search found, as its results, suggestions and related tips show them: title,
    question and address (not the body, the guru nor the dates)."""
    return (
        Tip.objects.filter(pk__in=ids)
        .select_related("category__topic")
        .only(
            "title",
            "slug",
            "question",
            "category__name",
            "category__slug",
            "category__topic__name",
            "category__topic__slug",
        )
    )


@Prepared.windowed
def newest_in_category(category_id: int, now):
    """A category's newest tips, as related tips name them (read once per category and content
    version: tips.search.related)."""
    return (
        Tip.objects.published(now=now)
        .filter(category_id=category_id)
        .select_related("category__topic")
        .only("title", "slug", "category__name", "category__slug", "category__topic__slug")
        .order_by("-publish_at", "-pk")
    )


@Prepared
def topic(slug: str):
    return Topic.objects.select_related("featured_guru").filter(slug=slug)[:1]


@Prepared
def category(topic: str, slug: str):
    return Category.objects.select_related("topic__featured_guru").filter(
        topic__slug=topic, slug=slug
    )[:1]


@Prepared
def topic_categories(topic_id: int, now):
    """A topic's categories by name, each with its ``tip_count``."""
    return Category.objects.filter(topic_id=topic_id).with_tip_counts(now=now).order_by("name")


@Prepared
def category_tip_count(category_id: int, now):
    tips = Tip.objects.published(now=now).filter(category_id=category_id).order_by()
    return tips.values("category_id").annotate(count=Count("pk")).values_list("count", flat=True)


def _category_tip_ids(category_id: int, now, helpful: bool):
    tips = Tip.objects.published(now=now).filter(category_id=category_id).for_listing()
    return (tips.most_helpful_first() if helpful else tips).values_list("pk", flat=True)


category_tip_ids = Prepared(_category_tip_ids, shape=("helpful",), window=True)


def _tip_ids(category_ids: list[int] | None, now, helpful: bool):
    tips = Tip.objects.published(now=now)
    if category_ids is not None:
        tips = tips.filter(category_id__in=category_ids)
    tips = tips.for_listing()
    return (tips.found_helpful() if helpful else tips).values_list("pk", flat=True)


# The newest (or the most helpful) of a topic's categories (``category_ids``), or of the network.
tip_ids = Prepared(_tip_ids, shape=("helpful",), window=True)


@Prepared
def card_of_the_day(category_ids: list[int] | None, now, midnight, draw: int):
    """The row of the tip of the day's card, of a topic's categories or of the network
    (``today()``'s values: ``TipQuerySet.tip_of_the_day_id``)."""
    tips = (
        Tip.objects.all()
        if category_ids is None
        else Tip.objects.filter(category_id__in=category_ids)
    )
    return card_rows(tips.tip_of_the_day_id(now=now, midnight=midnight, draw=draw))


@Prepared
def next_go_live(now):
    """When the next scheduled tip goes live (no row: none is scheduled)."""
    tips = Tip.objects.scheduled(now=now)
    return tips.order_by("publish_at").values_list("publish_at", flat=True)[:1]


@Prepared
def menu_topics():
    """Every topic site, by name, as the header's menu names them."""
    return Topic.objects.order_by("name").values_list("name", "slug", "tagline")
