import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import make_category, make_guru, make_tip, make_topic
from tips.cards import tip_card
from tips.models import Guru, Tip

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_future_tips():
    """Readers see published tips whose time has come; drafts and scheduled tips stay hidden."""
    live = make_tip()
    make_tip(status=Tip.Status.DRAFT)
    make_tip(publish_at=timezone.now() + datetime.timedelta(hours=1))
    make_tip(status=Tip.Status.DRAFT, publish_at=timezone.now() - datetime.timedelta(days=3))

    assert list(Tip.objects.published()) == [live]


def test_scheduled_tip_goes_live_by_itself_when_its_time_passes():
    """No job runs: the same query returns the tip once the clock passes its publish time."""
    publish_at = timezone.now() + datetime.timedelta(hours=2)
    tip = make_tip(publish_at=publish_at)
    assert tip.is_scheduled
    assert not Tip.objects.published().filter(pk=tip.pk).exists()

    later = publish_at + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert Tip.objects.published().filter(pk=tip.pk).exists()
        tip.refresh_from_db()
        assert tip.is_live


def test_tip_slug_is_unique_within_its_category_only():
    category = make_category()
    make_tip(category=category, slug="stretch")
    make_tip(category=make_category(), slug="stretch")
    with pytest.raises(IntegrityError):
        make_tip(category=category, slug="stretch")


def test_category_slug_is_unique_across_the_network():
    make_category(slug="techniques")
    with pytest.raises(IntegrityError):
        make_category(slug="techniques")


def test_topic_slug_cannot_take_a_fixed_address():
    topic = make_topic()
    topic.slug = "search"
    with pytest.raises(ValidationError) as excinfo:
        topic.full_clean()
    assert "fixed address" in str(excinfo.value.message_dict["slug"])


def test_an_image_without_a_description_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        make_tip(image="tips/photo.jpg", image_alt="")


def test_spotlight_prefers_the_featured_guru():
    topic = make_topic()
    featured = make_guru(topics=[topic])
    make_guru(topics=[topic])
    topic.featured_guru = featured
    topic.save()

    for offset in range(3):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=offset)
        assert topic.spotlight_guru(day) == featured


def test_spotlight_rotates_daily_among_the_topics_gurus_when_none_is_featured():
    topic = make_topic()
    gurus = [make_guru(topics=[topic]) for _ in range(3)]
    make_guru()  # writes for another topic: never in this spotlight

    day = datetime.date(2026, 3, 1)
    picks = [topic.spotlight_guru(day + datetime.timedelta(days=i)) for i in range(3)]

    assert sorted(p.pk for p in picks) == sorted(g.pk for g in gurus)
    assert topic.spotlight_guru(day) == picks[0], "the same guru all day"


def test_spotlight_is_empty_for_a_topic_without_gurus():
    assert make_topic().spotlight_guru() is None


def tip_of_the_day(tips, day: datetime.date | None = None) -> int | None:
    """The id of the tip of the day among ``tips``, read as the pages read it (its card)."""
    card = tip_card(tips.tip_of_the_day_id(day))
    return card.pk if card else None


def test_tip_of_the_day_is_stable_all_day_and_ignores_tips_published_today():
    category = make_category()
    older = [make_tip(category=category).pk for _ in range(4)]
    today = timezone.localdate()
    pick = tip_of_the_day(Tip.objects, today)
    assert pick in older

    make_tip(category=category, publish_at=timezone.now() - datetime.timedelta(seconds=1))
    if timezone.localtime().time() > datetime.time(0, 0, 2):
        assert tip_of_the_day(Tip.objects, today) == pick

    days = {tip_of_the_day(Tip.objects, today + datetime.timedelta(days=i)) for i in range(1, 5)}
    assert len(days) > 1, "the pick changes from one day to the next"


def test_a_topics_tip_of_the_day_is_its_own_however_many_tips_of_others_lie_between():
    """The pick looks at the ids after the drawn one a few at a time, then at more, then at all
    of them: each way it finds one of the topic's tips, or none where the topic has none."""
    category, elsewhere = make_category(), make_category()
    first = make_tip(category=category)
    for count in (300, 4200):  # past the walks SQLite takes (PICK_WALKS), then past both
        Tip.objects.bulk_create(
            Tip(category=elsewhere, title="Other", slug=f"other-{count}-{i}", question="?",
                body="b", status=Tip.Status.PUBLISHED, publish_at=first.publish_at)
            for i in range(count)
        )  # fmt: skip
        last = make_tip(category=category)
        in_topic = Tip.objects.published().in_topic(category.topic)
        today = timezone.localdate()
        picks = {tip_of_the_day(in_topic, today + datetime.timedelta(days=i)) for i in range(10)}
        assert last.pk in picks
        assert picks <= {tip.pk for tip in in_topic}
    empty = make_topic()
    assert tip_of_the_day(Tip.objects.published().in_topic(empty)) is None
    assert tip_of_the_day(Tip.objects.published().in_topic(empty, categories=[])) is None


def test_the_spotlight_is_one_query_however_many_gurus(django_assert_num_queries):
    topic = make_topic()
    for _ in range(12):
        make_guru(topics=[topic])
    with django_assert_num_queries(1):
        guru = topic.spotlight_guru()
    assert guru in topic.gurus.all()
    with django_assert_num_queries(1):
        assert Guru.objects.spotlight() is not None


def test_unpublished_is_exactly_what_published_leaves_out():
    now = timezone.now()
    tips = [
        make_tip(status=status, publish_at=now + delta)
        for status in Tip.Status.values
        for delta in (datetime.timedelta(days=-1), datetime.timedelta(days=1))
    ]
    public = set(Tip.objects.published())
    hidden = set(Tip.objects.unpublished())
    assert public | hidden == set(tips)
    assert not public & hidden
    assert hidden == {t for t in tips if t.status != Tip.Status.PUBLISHED or t.publish_at > now}


def test_the_database_refuses_an_unknown_status():
    tip = make_tip()
    with pytest.raises(IntegrityError), transaction.atomic():
        Tip.objects.filter(pk=tip.pk).update(status="archived")
