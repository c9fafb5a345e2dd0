import pytest
from django.test import Client
from django.urls import reverse

from requests_app.models import TipRequest
from tests.factories import (
    form_token,
    make_category,
    make_tip,
    make_tip_request,
    make_topic,
    request_data,
)
from tips.models import Tip

pytestmark = pytest.mark.django_db
URL = "/request-a-tip/"


def test_the_address_is_fixed():
    assert reverse("requests_app:request") == URL


def test_the_form_preselects_the_category_and_its_topic(client):
    category = make_category(slug="vegetable-gardening")
    html = client.get(URL + "?category=vegetable-gardening").content.decode()
    assert f'<option value="{category.pk}" selected>' in html
    assert f'<option value="{category.topic.pk}" selected>' in html


def test_the_form_preselects_a_topic_and_ignores_unknown_slugs(client):
    topic = make_topic(slug="home-cooking")
    assert f'<option value="{topic.pk}" selected>' in (
        client.get(URL + "?topic=home-cooking").content.decode()
    )
    response = client.get(URL + "?topic=nope&category=%00%27;drop&q=%00")
    assert response.status_code == 200
    topic_select = response.content.decode().split('name="topic"')[1].split("</select>")[0]
    assert f'<option value="{topic.pk}" selected>' not in topic_select


def test_the_request_link_on_every_tip_page_leads_to_a_preselected_form(client):
    tip = make_tip()
    html = client.get(tip.get_absolute_url()).content.decode()
    link = html.split('">Request a Tip Now!')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert f'<option value="{tip.category.pk}" selected>' in form


def test_a_request_is_stored_and_the_thank_you_page_repeats_it(client):
    topic = make_topic(name="Home Gardening")
    response = client.post(URL, request_data(topic, email="ana@example.com", name="Ana"))
    assert response.status_code == 302
    assert response["Location"] == "/request-a-tip/thanks/"
    stored = TipRequest.objects.get()
    assert (stored.status, stored.email, stored.topic) == ("new", "ana@example.com", topic)

    html = client.get(response["Location"]).content.decode()
    assert "How often should I water tomatoes in July?" in html
    assert "we’ll send one e-mail to ana@example.com" in html


def test_the_thank_you_page_without_a_request_leads_back_to_the_form(client):
    assert client.get("/request-a-tip/thanks/")["Location"] == URL


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"question": ""}, "question", "This field is required."),
        ({"question": "Too short"}, "question", "at least 10 characters"),
        ({"question": "x" * 301}, "question", "at most 300 characters"),
        ({"details": "x" * 3001}, "details", "at most 3000 characters"),
        ({"topic": ""}, "topic", "This field is required."),
        ({"topic": "999999"}, "topic", "Select a valid choice."),
        ({"email": "nope"}, "email", "Enter a valid email address."),
        ({"name": "n" * 101}, "name", "at most 100 characters"),
    ],
)
def test_bad_input_gets_a_message_by_the_field_and_keeps_the_rest(client, fields, field, message):
    topic = make_topic()
    data = {**request_data(topic, details="My plants wilt by noon."), **fields}
    html = client.post(URL, data).content.decode()
    error = html.split(f'id="error_1_id_{field}">', 1)[1].split("</p>", 1)[0]
    assert message in error
    if field != "details":
        assert "My plants wilt by noon." in html
    assert not TipRequest.objects.exists()


def test_a_category_of_another_topic_is_refused(client):
    topic = make_topic(name="Home Cooking")
    other = make_category(name="Vegetable Gardening")
    html = client.post(URL, request_data(topic, category=other.pk)).content.decode()
    assert "belongs to" in html
    assert "not Home Cooking" in html
    assert not TipRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"homepage": "x"}, "leave this empty"),
        ({"age": 0.2}, "quicker than a person can type"),
        ({"age": 3 * 3600}, "has expired"),
        ({"issued": form_token("comment")}, "could not be verified"),
    ],
)
def test_the_shared_defences_guard_the_form(client, fields, message):
    html = client.post(URL, request_data(make_topic(), **fields)).content.decode()
    assert message in html
    assert "How often should I water tomatoes in July?" in html
    assert not TipRequest.objects.exists()


def test_csrf_is_required():
    response = Client(enforce_csrf_checks=True).post(URL, request_data(make_topic()))
    assert response.status_code == 403


def test_flooding_gets_a_429_and_duplicates_are_stored_once(client, settings):
    topic = make_topic()
    client.post(URL, request_data(topic, email="a@example.com"))
    response = client.post(URL, request_data(topic, question="Another question entirely?"))
    assert response.status_code == 429
    assert "Retry-After" in response

    settings.ANTISPAM = {"tip_request": {"interval_seconds": 0}}
    again = client.post(URL, request_data(topic, email="A@example.com "))
    assert again.status_code == 302
    assert TipRequest.objects.count() == 1


def test_suggestions_return_only_published_tips_and_at_most_five(client):
    category = make_category()
    for i in range(7):
        make_tip(category=category, title=f"Watering tomatoes, part {i}")
    make_tip(category=category, title="Watering tomatoes draft", status=Tip.Status.DRAFT)
    results = client.get("/request-a-tip/suggestions/?q=watering tomatoes").json()["results"]
    assert len(results) == 5
    assert all("draft" not in r["title"] for r in results)
    assert {"title", "question", "topic", "url"} == set(results[0])


@pytest.mark.parametrize(
    "query",
    [
        "",
        "a",
        "\x00",
        "tom\x00ato",
        '"',
        "*",
        "NEAR(",
        "AND OR NOT",
        "%_\\",
        "x" * 5000,
        "томаты",
        "トマト",
        "<script>",
    ],
)
def test_suggestions_are_harmless_with_odd_input(client, query):
    response = client.get("/request-a-tip/suggestions/", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_answered_requests_list_questions_and_tips_but_never_people(client):
    tip = make_tip(title="Water Deeply, Not Daily")
    make_tip_request(
        question="How often to water?", name="Secret Sam", email="sam@example.com",
        status="answered", answer_tip=tip,
    )  # fmt: skip
    make_tip_request(question="Unanswered one?")
    draft = make_tip(status=Tip.Status.DRAFT)
    make_tip_request(question="Answered by a draft?", status="answered", answer_tip=draft)

    html = client.get("/requests/answered/").content.decode()
    assert "How often to water?" in html
    assert f'href="{tip.get_absolute_url()}"' in html
    assert "Secret Sam" not in html
    assert "sam@example.com" not in html
    assert "Unanswered one?" not in html
    assert "Answered by a draft?" not in html


def test_the_thank_you_page_thanks_once(client):
    """The page's heading says thanks; no flash message says it again right above it."""
    response = client.post(URL, request_data(make_topic()), follow=True)
    html = response.content.decode()
    assert html.count("Thanks") == 2, "the title and the heading, nothing else"
    assert 'class="alert' not in html
