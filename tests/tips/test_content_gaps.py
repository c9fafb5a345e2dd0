import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_tip, make_tip_request, make_topic
from tips.models import SearchMiss, Tip, Vote

pytestmark = pytest.mark.django_db
URL = "/admin/content-gaps/"
ONE_DAY = datetime.timedelta(days=1)


def test_only_editors_see_the_page(client, django_user_model):
    assert client.get(URL).status_code == 302  # to the admin login
    django_user_model.objects.create_user("staff", password="pw-long-enough", is_staff=True)
    client.login(username="staff", password="pw-long-enough")
    assert client.get(URL).status_code == 403


def test_open_requests_are_counted_by_topic_with_a_link_to_them(editor_client):
    garden = make_topic(name="Home Gardening")
    for _ in range(3):
        make_tip_request(topic=garden)
    make_tip_request(topic=garden, status="declined")
    make_tip_request(topic=make_topic(name="Home Cooking"), status="planned")
    html = editor_client.get(URL).content.decode()
    link = f'href="/admin/requests_app/tiprequest/?topic__id__exact={garden.pk}"'
    assert f"{link}>Home Gardening</a></td><td>3</td>" in html
    assert "Home Cooking</a></td><td>1</td>" in html


def test_searches_without_results_come_most_frequent_first_with_write_this_tip(editor_client):
    SearchMiss.objects.create(query="zebra grooming", count=2)
    SearchMiss.objects.create(query="bonsai wiring", count=9)
    html = editor_client.get(URL).content.decode()
    assert html.index("bonsai wiring") < html.index("zebra grooming")
    assert (
        'href="/admin/tips/tip/add/?title=Bonsai+wiring&amp;question=">Write this tip</a>' in html
    )
    form = editor_client.get("/admin/tips/tip/add/?title=Bonsai+wiring").content.decode()
    assert 'value="Bonsai wiring"' in form


def test_searches_made_as_often_come_most_recent_first(editor_client):
    now = timezone.now()
    SearchMiss.objects.create(query="older miss", count=4, last_searched_at=now - ONE_DAY * 3)
    SearchMiss.objects.create(query="newer miss", count=4, last_searched_at=now - ONE_DAY)
    SearchMiss.objects.create(query="rare miss", count=1, last_searched_at=now)
    html = editor_client.get(URL).content.decode()
    assert html.index("newer miss") < html.index("older miss") < html.index("rare miss")


def test_least_helpful_tips_come_first_with_their_reasons(editor_client):
    bad = make_tip(title="Vague Tip")
    fine = make_tip(title="Mostly Fine Tip")
    Vote.objects.create(tip=bad, visitor="a", helpful=False, reason="No steps given")
    Vote.objects.create(tip=fine, visitor="b", helpful=False)
    Tip.objects.filter(pk=bad.pk).update(helpful_yes=1, helpful_no=3)
    Tip.objects.filter(pk=fine.pk).update(helpful_yes=9, helpful_no=1)
    html = editor_client.get(URL).content.decode()
    section = html.split("Least helpful tips")[1].split("Tips due a review")[0]
    assert section.index("Vague Tip") < section.index("Mostly Fine Tip")
    assert "25% of 4" in section
    assert "“No steps given”" in section
    assert f'href="/admin/tips/tip/{bad.pk}/change/">Edit the tip' in section


def test_tips_due_a_review_can_be_marked_reviewed(editor_client):
    old = make_tip(
        title="Old Advice", last_reviewed=timezone.localdate() - datetime.timedelta(days=400)
    )
    make_tip(title="Fresh Advice", last_reviewed=timezone.localdate())
    html = editor_client.get(URL).content.decode()
    section = html.split("Tips due a review")[1]
    assert "Old Advice" in section
    assert "Fresh Advice" not in section

    response = editor_client.post(reverse("content-gaps-reviewed", args=[old.pk]), follow=True)
    assert "is marked as reviewed today" in response.content.decode()
    old.refresh_from_db()
    assert old.last_reviewed == timezone.localdate()
    assert "Old Advice" not in editor_client.get(URL).content.decode().split("Tips due a review")[1]


def test_the_admin_index_links_to_content_gaps(editor_client):
    assert 'href="/admin/content-gaps/"' in editor_client.get("/admin/").content.decode()
