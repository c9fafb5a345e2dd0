"""Managing, unsubscribing, erasing and what editors see: no login, the signed link is the key."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from followers import services
from followers.models import Subscription
from tests.factories import make_comment, make_subscription, make_tip, make_topic

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_the_manage_page_lists_everything_an_address_follows_and_nothing_else(client):
    tip = make_tip(title="Neuromuscular Massage Therapy")
    make_subscription(topic=make_topic(name="Gardening"), email="fan@example.com")
    make_subscription(tip=tip, email="fan@example.com", confirmed=False)
    make_subscription(topic=make_topic(name="Secret"), email="other@example.com")
    page = client.get(path_of(services.manage_url("Fan@example.com"))).content.decode()
    assert "What fan@example.com follows" in page
    assert "New Gardening tips, weekly" in page
    assert "New comments on “Neuromuscular Massage Therapy”" in page
    assert "not confirmed" in page
    # Another address's topic is not listed (the header's topic menu names every topic).
    assert "Secret" not in page.split('<main id="main"', 1)[1]
    # Posted to this host, whatever SITE_URL says (the CSP allows forms to post to 'self' only).
    assert page.count('<form method="post" action="/follow/unsubscribe/') == 2


def test_each_item_unsubscribes_at_once_and_twice_is_harmless(client):
    subscription = make_subscription(email="fan@example.com")
    url = path_of(services.unsubscribe_url(subscription))
    page = client.get(url)
    assert "Unsubscribe" in page.content.decode()
    assert Subscription.objects.exists()  # opening the link alone changes nothing

    done = client.post(url)
    assert "you won’t get these e-mails any more" in done.content.decode()
    assert not Subscription.objects.exists()
    again = client.post(url)
    assert again.status_code == 200
    assert "already unsubscribed" in again.content.decode()
    opened_later = client.get(url)
    assert "You’re not subscribed" in opened_later.content.decode()


def test_unsubscribe_from_everything(client):
    for _ in range(3):
        make_subscription(email="fan@example.com")
    kept = make_subscription(email="other@example.com")
    url = path_of(services.manage_url("fan@example.com"))
    response = client.post(url)
    assert response.status_code == 302
    assert list(Subscription.objects.all()) == [kept]
    assert "This address follows nothing" in client.get(url).content.decode()


@pytest.mark.parametrize("view", ["unsubscribe", "manage", "confirm"])
def test_a_tampered_link_gets_a_clear_page_not_an_error(client, view):
    subscription = make_subscription(email="fan@example.com")
    good = {
        "unsubscribe": services.unsubscribe_url(subscription),
        "manage": services.manage_url("fan@example.com"),
        "confirm": services.confirm_url(subscription),
    }[view]
    for token in ["x", path_of(good).rstrip("/").rsplit("/", 1)[1][:-2] + "zz", "a:b:c"]:
        for method in (client.get, client.post):
            response = method(reverse(f"followers:{view}", args=[token]))
            assert response.status_code == 400
            assert "This link doesn’t work" in response.content.decode()
    assert Subscription.objects.exists()


def test_erase_email_deletes_the_addresses_comments_and_subscriptions(capsys):
    make_subscription(email="fan@example.com")
    make_subscription(tip=make_tip(), email="fan@example.com")
    make_comment(email="fan@example.com")
    other = make_subscription(email="other@example.com")
    call_command("erase_email", "Fan@Example.com")
    assert "Deleted 1 comment(s) and 2 subscription(s)" in capsys.readouterr().out
    assert list(Subscription.objects.all()) == [other]


def test_editors_see_subscribers_per_topic_with_counts_and_only_the_address(editor_client):
    topic = make_topic(name="Gardening")
    subscription = make_subscription(topic=topic, email="fan@example.com")
    make_subscription(topic=topic)
    make_subscription(topic=topic, confirmed=False)
    topics = editor_client.get(reverse("admin:followers_followedtopic_changelist"))
    assert topics.status_code == 200
    assert ">2</a>" in topics.content.decode()

    listing = editor_client.get(
        reverse("admin:followers_subscription_changelist") + f"?topic__id__exact={topic.pk}"
    )
    assert "fan@example.com" in listing.content.decode()
    detail = editor_client.get(
        reverse("admin:followers_subscription_change", args=[subscription.pk])
    ).content.decode()
    assert "fan@example.com" in detail
    assert services.unsubscribe_url(subscription).rsplit("/", 2)[1] not in detail
    assert "confirmation_sent_at" not in detail
    assert editor_client.get(reverse("admin:followers_subscription_add")).status_code == 403
