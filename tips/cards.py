"""Tip cards: what a listing shows of each tip, read as plain rows rather than model instances.

A listing page shows twenty cards. Read as ``Tip`` instances with their category, topic and
guru, the twenty rows cost ~5 ms of the worker's CPU (eighty model instances, six datetime
columns parsed per tip, each tip's loaded text kept for the edit check); read as tuples of the
dozen values a card shows, under 1 ms. The cards answer what the templates and the structured
data ask of a listed tip, with the same names.
"""

import datetime
from dataclasses import dataclass

from tipsite.statements import Prepared

from .addresses import slug_paths
from .models import HelpfulVotes, Tip


@dataclass(frozen=True, slots=True)
class Link:
    """A category or guru as a card names it."""

    name: str
    url: str

    def get_absolute_url(self) -> str:
        return self.url

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class TipCard(HelpfulVotes):
    pk: int
    title: str
    question: str
    publish_at: datetime.datetime
    comment_count: int
    helpful_yes: int
    helpful_no: int
    url: str
    category: Link
    guru: Link | None

    def get_absolute_url(self) -> str:
        return self.url


FIELDS = (
    "pk", "title", "slug", "question", "publish_at", "comment_count", "helpful_yes", "helpful_no",
    "category__name", "category__slug", "category__topic__slug", "guru__name", "guru__slug",
)  # fmt: skip


def card_rows(ids):
    """The rows of the cards of ``ids``: a list of ids, or SQL that selects them."""
    return Tip.objects.filter(pk__in=ids).order_by().values_list(*FIELDS)


# A listing's cards: compiled once per number of cards (tipsite.statements).
_card_rows = Prepared(card_rows)


def tip_cards(ids) -> dict[int, TipCard]:
    """The cards of the tips ``ids``, by id (as ``in_bulk`` gives rows), in no order.

    ``ids`` is a list of ids, or SQL that selects them (``tip_card``)."""
    return cards_of(_card_rows(ids=list(ids)) if isinstance(ids, list | tuple) else card_rows(ids))


def cards_of(rows) -> dict[int, TipCard]:
    """The cards made of rows of :func:`card_rows`, by id."""
    tip_path = slug_paths("tips:tip", "topic", "category", "slug")
    category_path = slug_paths("tips:category", "topic", "slug")
    guru_path = slug_paths("tips:guru", "slug")
    cards = {}
    for row in rows:
        pk, title, slug, question, publish_at, comments, yes, no, *category, guru, guru_slug = row
        category_name, category_slug, topic_slug = category
        cards[pk] = TipCard(
            pk=pk,
            title=title,
            question=question,
            publish_at=publish_at,
            comment_count=comments,
            helpful_yes=yes,
            helpful_no=no,
            url=tip_path(topic=topic_slug, category=category_slug, slug=slug),
            category=Link(category_name, category_path(topic=topic_slug, slug=category_slug)),
            guru=Link(guru, guru_path(slug=guru_slug)) if guru else None,
        )
    return cards


def tip_card(pk) -> TipCard | None:
    """The card of one tip, None where there is none: ``pk`` may be SQL for its id, such as
    the tip of the day's (``TipQuerySet.tip_of_the_day_id``), read in the card's query."""
    return card_of(card_rows(pk))


def card_of(rows) -> TipCard | None:
    """The card made of the one row of ``rows``, None where there is none."""
    return next(iter(cards_of(rows).values()), None)
