import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_category, make_tip
from tips.cards import tip_card
from tips.models import Tip
from tips.search import related

pytestmark = pytest.mark.django_db


def test_related_tips_come_from_the_same_category_first_then_similar_text():
    category = make_category()
    tip = make_tip(category=category, title="Prune Tomato Suckers", question="When to prune?")
    sibling = make_tip(category=category, title="Stake Your Beans")
    similar = make_tip(title="Tomato Varieties for Pots", question="Which tomato?")
    make_tip(title="Budget Basics", question="How to budget?")
    make_tip(category=category, title="Hidden Draft", status=Tip.Status.DRAFT)

    found = related(tip)
    assert found == [sibling, similar]
    assert tip not in found


def test_at_most_five_related_tips_and_never_the_tip_itself():
    category = make_category()
    tips = [make_tip(category=category, title=f"Compost tip {i}") for i in range(8)]
    found = related(tips[0])
    assert len(found) == 5
    assert tips[0] not in found
    assert all(t.category == category for t in found)


def test_the_tip_page_lists_related_tips(client):
    category = make_category()
    tip = make_tip(category=category)
    sibling = make_tip(category=category, title="A Sibling Tip")
    html = client.get(tip.get_absolute_url()).content.decode()
    related_box = html.split('id="related-heading"')[1].split("</section>")[0]
    assert f'href="{sibling.get_absolute_url()}"' in related_box


def test_tip_of_the_day_uses_only_published_tips(client):
    make_tip(status=Tip.Status.DRAFT, publish_at=timezone.now() - datetime.timedelta(days=3))
    assert tip_card(Tip.objects.tip_of_the_day_id()) is None
    live = make_tip(publish_at=timezone.now() - datetime.timedelta(days=3))
    assert tip_card(Tip.objects.tip_of_the_day_id()).pk == live.pk
    html = client.get("/").content.decode()
    assert "Tip of the day" in html
    assert live.title in html


def test_tip_page_query_count_does_not_grow_with_related_candidates(client):
    """A full category fills the box alone; a thin one adds the text search (two queries)."""

    def queries(tip):
        with CaptureQueriesContext(connection) as captured:
            client.get(tip.get_absolute_url())
        return len(captured)

    crowded_category = make_category()
    crowded = make_tip(category=crowded_category, title="Crowded Tip")
    for i in range(5):
        make_tip(category=crowded_category, title=f"Crowded sibling {i}")
    lonely = make_tip(title="Lonely Topic Tip")
    few = {"crowded": queries(crowded), "lonely": queries(lonely)}

    for i in range(20):
        make_tip(category=crowded_category, title=f"More crowded sibling {i}")
        make_tip(title=f"Another lonely topic tip {i}")
    many = {"crowded": queries(crowded), "lonely": queries(lonely)}

    assert few == many
    assert many["lonely"] == many["crowded"] + 2


def test_the_text_search_runs_only_when_the_category_cannot_fill_the_box():
    category = make_category()
    tip = make_tip(category=category, title="Tomato Suckers")
    siblings = [make_tip(category=category, title=f"Bean tip {i}") for i in range(5)]
    make_tip(title="Tomato Varieties")
    with CaptureQueriesContext(connection) as captured:
        found = related(tip)
    assert set(found) == set(siblings)
    assert len(captured) == 1
    assert not any("tomato" in query["sql"].lower() for query in captured)


def test_similar_text_means_shared_words_in_titles_and_questions_not_bodies():
    tip = make_tip(title="Sharpen Garden Shears", question="How do I sharpen shears?")
    in_title = make_tip(title="Shears for Roses")
    in_question = make_tip(title="Blade care", question="Which shears last longest?")
    make_tip(title="Compost", body="Shears and sharpening come up in this body only.")
    assert set(related(tip)) == {in_title, in_question}
