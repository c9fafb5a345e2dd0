"""Listings show tip cards read as plain rows (tips/cards.py): the same addresses, names, dates
and votes as the tips themselves, read by the tips' keys."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_category, make_guru, make_tip
from tips.cards import tip_cards
from tips.models import Tip

pytestmark = pytest.mark.django_db


def test_a_card_says_what_its_tip_says():
    guru = make_guru(name="Ada Lovelace")
    rated = make_tip(guru=guru, helpful_yes=7, helpful_no=2, comment_count=3)
    unrated = make_tip(helpful_yes=1, helpful_no=0)
    cards = tip_cards([rated.pk, unrated.pk])
    for tip in Tip.objects.filter(pk__in=[rated.pk, unrated.pk]):
        card = cards[tip.pk]
        assert card.get_absolute_url() == tip.get_absolute_url()
        assert (card.title, card.question, card.publish_at) == (
            tip.title,
            tip.question,
            tip.publish_at,
        )
        assert (card.comment_count, card.is_rated, card.helpful_share) == (
            tip.comment_count,
            tip.is_rated,
            tip.helpful_share,
        )
        assert card.category.name == tip.category.name
        assert card.category.get_absolute_url() == tip.category.get_absolute_url()
    assert cards[rated.pk].guru.name == "Ada Lovelace"
    assert cards[rated.pk].guru.get_absolute_url() == guru.get_absolute_url()
    assert cards[unrated.pk].guru is None
    assert cards[rated.pk].is_rated
    assert not cards[unrated.pk].is_rated


def test_a_listing_shows_the_cards_in_its_order_and_reads_them_by_their_keys(client, settings):
    settings.TIPS_PER_PAGE = 2
    category = make_category()
    tips = [make_tip(category=category) for _ in range(5)]
    newest_first = sorted(tips, key=lambda tip: (tip.publish_at, tip.pk), reverse=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(category.get_absolute_url(), {"page": 2})
    assert [card.pk for card in response.context_data["tips"]] == [
        tip.pk for tip in newest_first[2:4]
    ]
    page = response.content.decode()
    assert newest_first[2].get_absolute_url() in page
    rows = [q["sql"] for q in queries if '"tips_tip"."question"' in q["sql"]]
    assert len(rows) == 1
    # By key alone: the listing's own filters would have SQLite walk the whole category.
    where = rows[0].split(" WHERE ", 1)[1]
    assert where.startswith('"tips_tip"."id" IN (')
    assert "category_id" not in where
