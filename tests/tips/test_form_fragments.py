"""The parts of forms that are the same on many pages are rendered once, and still right."""

import re
import time

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template.loader import render_to_string
from django.test import Client

from comments.forms import CommentForm
from followers.forms import FollowTipForm, FollowTopicForm
from tests.factories import make_guru, make_tip, make_topic, vote_data
from tips.forms import VoteForm
from tips.models import Topic
from tips.templatetags import tips_tags
from tips.templatetags.tips_tags import crispy_fields, protected_fields
from tipsite.antispam import blank_form, token_age
from tipsite.pagecache import content_changed

pytestmark = pytest.mark.django_db

SIGNED_TIME = re.compile(r'name="(?:[\w-]+-)?issued" value="([^"]*)"')
# The forms of a tip page, in their order: helpful?, comment, follow the tip, follow its topic.
SCOPES = ("vote", "comment", "follow", "follow")


def test_protected_fields_are_what_their_template_renders_with_the_time_they_are_shown(
    monkeypatch,
):
    moment = 1_800_000_000.0
    monkeypatch.setattr(time, "time", lambda: moment)
    made_earlier = CommentForm()
    moment += 3600
    protected_fields(CommentForm())  # the next are made from what this one left
    html = protected_fields(made_earlier)
    shown_now = CommentForm()
    assert html == render_to_string("includes/protected_fields.html", {"form": shown_now})
    assert SIGNED_TIME.findall(html) == [shown_now.initial["issued"]]
    assert token_age("comment", SIGNED_TIME.findall(html)[0]) == 0


def test_unfilled_forms_are_made_once_per_kind_prefix_and_key():
    assert blank_form(CommentForm) is blank_form(CommentForm)
    assert blank_form(FollowTipForm, prefix="a") is blank_form(FollowTipForm, prefix="a")
    assert blank_form(FollowTipForm, prefix="a") is not blank_form(FollowTipForm, prefix="b")
    topic = make_topic()
    made = blank_form(FollowTopicForm, key=topic.slug, topic=topic, prefix="follow-topic")
    assert made.initial["topic"] == topic.slug
    topic.slug = "renamed"
    renamed = blank_form(FollowTopicForm, key=topic.slug, topic=topic, prefix="follow-topic")
    assert renamed is not made
    assert renamed.initial["topic"] == "renamed"


def test_a_tip_page_shared_forms_carry_the_time_of_each_visit(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0
    tip = make_tip()
    moment = 1_800_000_000.0
    monkeypatch.setattr(time, "time", lambda: moment)
    first = SIGNED_TIME.findall(Client().get(tip.get_absolute_url()).content.decode())
    moment += 60
    later = SIGNED_TIME.findall(Client().get(tip.get_absolute_url()).content.decode())
    assert len(first) == len(later) == 4  # comment, vote, follow the tip, follow its topic
    assert {token_age(scope, token) for scope, token in zip(SCOPES, later, strict=True)} == {0}
    assert not set(first) & set(later)


def test_each_form_kind_keeps_its_own_fields():
    comment, vote = protected_fields(CommentForm()), protected_fields(VoteForm())
    assert 'name="homepage"' in comment
    assert 'name="vote-homepage"' not in comment
    assert 'name="vote-homepage"' in vote
    assert 'name="vote-issued"' in vote
    assert token_age("vote", SIGNED_TIME.findall(vote)[0]) < 60


def test_a_sent_form_shows_what_was_typed_in_its_honeypot():
    form = VoteForm(vote_data(homepage="http://spam.example"))
    assert 'value="http://spam.example"' in protected_fields(form)


@pytest.mark.parametrize("page_cache_seconds", [0, 600])
def test_each_topic_page_follow_form_names_its_own_topic(settings, page_cache_seconds):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    first, second = make_topic(), make_topic()
    for topic in (first, second, first):
        html = Client().get(topic.get_absolute_url()).content.decode()
        assert f'name="follow-topic-topic" value="{topic.slug}"' in html
        other = second if topic == first else first
        assert f'value="{other.slug}"' not in html


def test_each_guru_page_offers_the_topics_of_its_own_guru(settings):
    settings.PAGE_CACHE_SECONDS = 600
    gardening, baking = make_topic(name="Gardening"), make_topic(name="Baking")
    gardener, baker = make_guru(topics=[gardening]), make_guru(topics=[baking])
    for guru, offered, not_offered in ((gardener, gardening, baking), (baker, baking, gardening)):
        html = Client().get(guru.get_absolute_url()).content.decode()
        choice = html.split('name="follow-topic-topic"')[1].split("</select>")[0]
        assert f'<option value="{offered.slug}">{offered.name}</option>' in choice
        assert not_offered.name not in choice


def test_fields_only_the_code_decides_are_rendered_once_per_process(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 600
    rendered = []

    def counted(field):
        rendered.append(field.name)
        return as_crispy_field(field)

    monkeypatch.setattr(tips_tags, "_code_only_fields", {})
    monkeypatch.setattr(tips_tags, "as_crispy_field", counted)
    first = crispy_fields(CommentForm(), "name", "body")
    content_changed()  # a new content version: these fields do not depend on it
    assert crispy_fields(CommentForm(), "name", "body") == first
    assert rendered == ["name", "body"]
    assert first == as_crispy_field(CommentForm()["name"]) + as_crispy_field(CommentForm()["body"])


def test_a_topic_choice_is_rendered_from_the_topics_of_the_moment(settings):
    settings.PAGE_CACHE_SECONDS = 600
    make_topic(name="Gardening")
    form = FollowTopicForm(choices=Topic.objects.order_by("name"), prefix="follow-topic")
    assert "Baking" not in crispy_fields(form, "topic")
    make_topic(name="Baking")
    form = FollowTopicForm(choices=Topic.objects.order_by("name"), prefix="follow-topic")
    assert "Baking" in crispy_fields(form, "topic")
