"""The tip counts kept with the categories: exact after every way a tip changes."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import make_category, make_tip
from tips import services
from tips.models import Category, Tip
from tips.views import published_counts

pytestmark = pytest.mark.django_db


def assert_counts_exact():
    """What pages show equals a count of what readers may see, for every category and topic:
    the home page's counts and each topic page's (``with_tip_counts``)."""
    counts = published_counts()
    for category in Category.objects.with_tip_counts():
        public = Tip.objects.published().filter(category=category).count()
        assert counts["category"].get(category.pk, 0) == public, category
        assert category.tip_count == public, category
    for topic_id in {category.topic_id for category in Category.objects.all()}:
        public = Tip.objects.published().filter(category__topic_id=topic_id).count()
        assert counts["topic"].get(topic_id, 0) == public


def test_created_tips_count_once_public_and_drafts_never():
    category = make_category()
    make_tip(category=category)
    make_tip(category=category, status=Tip.Status.DRAFT)
    make_tip(category=make_category(topic=category.topic))
    assert published_counts()["category"][category.pk] == 1
    assert_counts_exact()


def test_a_scheduled_tip_counts_when_its_time_comes_with_no_write():
    category = make_category()
    make_tip(category=category)
    make_tip(category=category, publish_at=timezone.now() + datetime.timedelta(hours=1))
    assert published_counts()["category"][category.pk] == 1
    assert_counts_exact()
    later = timezone.now() + datetime.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert published_counts()["category"][category.pk] == 2
        assert_counts_exact()


def test_publishing_unpublishing_and_editing_the_status_keep_counts_exact():
    category = make_category()
    drafts = [make_tip(category=category, status=Tip.Status.DRAFT) for _ in range(3)]
    services.tips_publish_now(tips=Tip.objects.filter(pk__in=[t.pk for t in drafts[:2]]))
    assert published_counts()["category"][category.pk] == 2
    services.tips_unpublish(tips=Tip.objects.filter(pk=drafts[0].pk))
    assert published_counts()["category"][category.pk] == 1
    drafts[2].status = Tip.Status.PUBLISHED
    drafts[2].save()
    assert published_counts()["category"][category.pk] == 2
    assert_counts_exact()


def test_approving_a_tip_in_review_counts_it():
    tip = make_tip(status=Tip.Status.IN_REVIEW)
    services.tip_approve(tip=tip)
    assert published_counts()["category"][tip.category_id] == 1
    assert_counts_exact()


def test_moving_tips_counts_them_in_their_new_category_only():
    old, new = make_category(), make_category()
    tips = [make_tip(category=old) for _ in range(3)]
    services.tips_move_to_category(tips=Tip.objects.filter(pk=tips[0].pk), category=new)
    tips[1].category = new
    tips[1].save()
    counts = published_counts()["category"]
    assert (counts[old.pk], counts[new.pk]) == (1, 2)
    assert_counts_exact()


def test_deleting_tips_one_or_many_uncounts_them():
    category = make_category()
    tips = [make_tip(category=category) for _ in range(4)]
    tips[0].delete()
    Tip.objects.filter(pk__in=[tips[1].pk, tips[2].pk]).delete()
    assert published_counts()["category"][category.pk] == 1
    assert_counts_exact()


def test_saving_a_category_keeps_its_count_right():
    category = make_category()
    stale = Category.objects.get(pk=category.pk)
    make_tip(category=category)
    stale.name = "Renamed"
    stale.save()
    assert published_counts()["category"][category.pk] == 1


def test_recounting_all_mends_counts_written_without_the_services():
    category = make_category()
    make_tip(category=category)
    Category.objects.update(published_tip_count=7)
    services.categories_recount_all()
    assert_counts_exact()
