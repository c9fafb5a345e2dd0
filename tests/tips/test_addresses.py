"""Reader pages' addresses are the ones Django's reverse() gives, however they are made."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from tests.factories import make_guru, make_tip
from tips.addresses import slug_path
from tips.models import category_paths

pytestmark = pytest.mark.django_db


def test_every_reader_page_address_is_what_reverse_gives():
    tip = make_tip()
    category, topic, guru = tip.category, tip.category.topic, make_guru()
    kwargs = {"topic": topic.slug, "category": category.slug, "slug": tip.slug}
    assert tip.get_absolute_url() == reverse("tips:tip", kwargs=kwargs)
    assert category.get_absolute_url() == reverse(
        "tips:category", kwargs={"topic": topic.slug, "slug": category.slug}
    )
    assert topic.get_absolute_url() == reverse("tips:topic", kwargs={"slug": topic.slug})
    assert guru.get_absolute_url() == reverse("tips:guru", kwargs={"slug": guru.slug})
    assert category_paths()[category.pk] == category.get_absolute_url()


def test_arguments_may_come_in_any_order():
    forward = slug_path("tips:tip", topic="a", category="b", slug="c")
    assert forward == slug_path("tips:tip", slug="c", category="b", topic="a")
    assert forward == reverse("tips:tip", kwargs={"topic": "a", "category": "b", "slug": "c"})


def test_the_script_prefix_of_a_site_under_a_path_is_kept():
    try:
        set_script_prefix("/advice/")
        assert slug_path("tips:topic", slug="baking") == "/advice/baking/"
    finally:
        set_script_prefix("/")
    assert slug_path("tips:topic", slug="baking") == "/baking/"


def test_what_is_not_a_slug_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        slug_path("tips:topic", slug="not/a slug")
