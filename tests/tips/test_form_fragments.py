"""The parts of forms that are the same on many pages are rendered once, and still right."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from comments.forms import CommentForm
from tests.factories import make_topic, vote_data
from tips.forms import VoteForm
from tips.templatetags.tips_tags import protected_fields
from tipsite.antispam import token_age

pytestmark = pytest.mark.django_db

SIGNED_TIME = re.compile(r'name="(?:[\w-]+-)?issued" value="([^"]*)"')


def test_protected_fields_are_what_their_template_renders_with_each_forms_own_time():
    first, second = CommentForm(), CommentForm()
    second.initial["issued"] = second.initial["issued"] + "x"  # a time of its own
    protected_fields(first)  # the second is made from what the first left
    html = protected_fields(second)
    assert html == render_to_string("includes/protected_fields.html", {"form": second})
    assert SIGNED_TIME.findall(html) == [second.initial["issued"]]


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
