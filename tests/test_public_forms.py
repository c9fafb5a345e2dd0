"""Every public form takes one path (tipsite/public_forms.py): validate, flood guard, act."""

from unittest import mock

import pytest
from django.urls import reverse

from tests.factories import comment_data, make_tip, make_topic, request_data, vote_data
from tipsite import public_forms

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("form", "scope", "form_name"),
    [("comment", "comment", "comment"), ("request", "tip_request", "tip request"),
     ("vote", "vote", "vote")],
)  # fmt: skip
def test_each_public_form_is_answered_by_the_shared_path(client, form, scope, form_name):
    tip = make_tip()
    url, data = {
        "comment": (reverse("comments:post", args=[tip.pk]), comment_data()),
        "request": (reverse("requests_app:request"), request_data(make_topic())),
        "vote": (reverse("tips:vote", args=[tip.pk]), vote_data()),
    }[form]
    with mock.patch.object(public_forms, "submit", wraps=public_forms.submit) as submit:
        response = client.post(url, data)
    assert response.status_code == 302
    [call] = submit.call_args_list
    assert call.args[1].antispam_scope == scope
    assert call.kwargs["form_name"] == form_name


def test_a_second_post_too_soon_gets_the_429_page(client, settings):
    settings.ANTISPAM = {**settings.ANTISPAM, "tip_request": {"interval_seconds": 60}}
    topic = make_topic()
    url = reverse("requests_app:request")
    assert client.post(url, request_data(topic)).status_code == 302
    again = client.post(url, request_data(topic, question="And how often in August then?"))
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
    assert "Please wait a moment" in again.content.decode()
