"""RSS 2.0 and Atom feeds of the newest public tips: network-wide, per topic and per category."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import Category, Tip, Topic

FEED_LENGTH = 20


class TipFeed(Feed):
    """What every tip feed shares: each item is a whole tip, newest first.

    Subclasses say which tips take part through ``tips(obj)``, always narrowing
    ``Tip.objects.published()``; ``obj`` is the feed's topic or category, None network-wide.
    """

    def items(self, obj):
        # Feed items carry the whole tip, so its body comes along.
        return self.tips(obj).for_listing().defer(None)[:FEED_LENGTH]

    def item_title(self, tip: Tip) -> str:
        return tip.title

    def item_description(self, tip: Tip) -> str:
        # body_html was sanitised when the tip was saved; the question is plain text.
        return format_html("<p>{}</p>{}", tip.question, mark_safe(tip.body_html))  # noqa: S308

    def item_author_name(self, tip: Tip) -> str | None:
        return tip.guru.name if tip.guru else None

    def item_pubdate(self, tip: Tip):
        return tip.publish_at

    def item_updateddate(self, tip: Tip):
        return tip.updated_at


class LatestTipsFeed(TipFeed):
    def tips(self, obj: None):
        return Tip.objects.published()

    def title(self) -> str:
        return f"{settings.SITE_NAME}: latest tips"

    def link(self) -> str:
        return reverse("tips:home")

    def description(self) -> str:
        return f"The newest tips from every {settings.SITE_NAME} tip site."


class TopicTipsFeed(TipFeed):
    def get_object(self, request, topic: str) -> Topic:
        return get_object_or_404(Topic, slug=topic)

    def tips(self, topic: Topic):
        return Tip.objects.published().in_topic(topic)

    def title(self, topic: Topic) -> str:
        return f"{topic.name} Tips | {settings.SITE_NAME}"

    def link(self, topic: Topic) -> str:
        return topic.get_absolute_url()

    def description(self, topic: Topic) -> str:
        return f"The newest tips from the {topic.name} tip site."


class CategoryTipsFeed(TipFeed):
    def get_object(self, request, topic: str, category: str) -> Category:
        return get_object_or_404(
            Category.objects.select_related("topic"), topic__slug=topic, slug=category
        )

    def tips(self, category: Category):
        return Tip.objects.published().filter(category=category)

    def title(self, category: Category) -> str:
        return f"{category.name} | {category.topic.name} Tips | {settings.SITE_NAME}"

    def link(self, category: Category) -> str:
        return category.get_absolute_url()

    def description(self, category: Category) -> str:
        return f"The newest {category.name} tips from the {category.topic.name} tip site."


# Atom calls the feed's description its subtitle.


class LatestTipsAtomFeed(LatestTipsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()


class TopicTipsAtomFeed(TopicTipsFeed):
    feed_type = Atom1Feed

    def subtitle(self, topic: Topic) -> str:
        return self.description(topic)


class CategoryTipsAtomFeed(CategoryTipsFeed):
    feed_type = Atom1Feed

    def subtitle(self, category: Category) -> str:
        return self.description(category)
