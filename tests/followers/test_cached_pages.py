"""The follow forms on pages served from the page cache work as the site's other forms do."""

import re
import time
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from followers.models import Subscription
from tests.factories import follow_data, make_tip
from tipsite.antispam import TOKEN_SALT

pytestmark = pytest.mark.django_db


def test_a_cached_topic_page_carries_no_token_and_its_follow_form_works(settings):
    settings.PAGE_CACHE_SECONDS = 600
    topic = make_tip().category.topic
    reader = Client(enforce_csrf_checks=True)
    reader.get(topic.get_absolute_url())  # stored
    later = time.time() + 60
    with mock.patch("tipsite.pagecache.time.time", return_value=later):
        page = reader.get(topic.get_absolute_url())
    html = page.content.decode()
    assert page["X-Page-Cache"] == "hit"
    assert re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html) == [""]
    issued = re.search(r'name="follow-topic-issued" value="([^"]+)"', html)[1]
    assert signing.loads(issued, salt=TOKEN_SALT)["at"] == pytest.approx(later, abs=0.1)

    token = reader.get(reverse("form-token")).json()["csrf"]
    data = follow_data(topic=topic.slug, issued=issued)
    data["csrfmiddlewaretoken"] = token
    with mock.patch("tipsite.antispam.time.time", return_value=later + 10):
        response = reader.post(reverse("followers:follow-topic"), data)
    assert response.status_code == 302
    assert Subscription.objects.get().topic == topic
