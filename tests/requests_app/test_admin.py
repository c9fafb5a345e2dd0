import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from requests_app.models import TipRequest
from tests.factories import (
    make_category,
    make_guru,
    make_tip,
    make_tip_request,
)
from tips.models import Tip

pytestmark = pytest.mark.django_db


def test_requests_are_listed_newest_first_with_what_triage_needs(editor_client):
    make_tip_request(question="Older question?")
    make_tip_request(question="Newer question?")
    html = editor_client.get(reverse("admin:requests_app_tiprequest_changelist")).content.decode()
    assert html.index("Newer question?") < html.index("Older question?")
    assert "Write this tip" in html
    assert "New" in html


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("mark_planned", "planned", "2 requests were marked as planned."),
        ("mark_declined", "declined", "2 requests were declined."),
    ],
)
def test_bulk_triage_reports_counts_and_sends_nothing(editor_client, action, status, message):
    requests = [make_tip_request(email=f"r{i}@example.com") for i in range(2)]
    response = editor_client.post(
        reverse("admin:requests_app_tiprequest_changelist"),
        {"action": action, "_selected_action": [r.pk for r in requests]},
        follow=True,
    )
    assert message in response.content.decode()
    assert set(TipRequest.objects.values_list("status", flat=True)) == {status}
    assert mail.outbox == []


def test_new_request_count_on_the_admin_index(editor_client):
    for _ in range(2):
        make_tip_request()
    make_tip_request(status="planned")
    assert "2 new tip requests" in editor_client.get(reverse("admin:index")).content.decode()


def test_write_this_tip_prefills_the_tip_form_and_answers_the_request(
    editor_client, django_capture_on_commit_callbacks
):
    category = make_category()
    guru = make_guru()
    tip_request = make_tip_request(
        question="Can I compost citrus peels?", topic=category.topic, category=category,
        assigned_guru=guru, email="ana@example.com",
    )  # fmt: skip
    changelist = editor_client.get(
        reverse("admin:requests_app_tiprequest_changelist")
    ).content.decode()
    add_url = changelist.split('">Write this tip')[0].rsplit('href="', 1)[1].replace("&amp;", "&")

    form = editor_client.get(add_url).content.decode()
    assert 'value="Can I compost citrus peels?"' in form
    assert f'<option value="{category.pk}" selected>' in form
    assert f'<option value="{guru.pk}" selected>' in form

    now = timezone.localtime()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            add_url,
            {
                "title": "Citrus in the Compost", "slug": "citrus-in-the-compost",
                "question": "Can I compost citrus peels?", "body": "Yes, in moderation.",
                "category": category.pk, "guru": guru.pk, "image_alt": "",
                "status": Tip.Status.PUBLISHED, "publish_at_0": now.strftime("%Y-%m-%d"),
                "publish_at_1": now.strftime("%H:%M:%S"), "last_reviewed": "",
                "votes-TOTAL_FORMS": "0", "votes-INITIAL_FORMS": "0",
                "sources-TOTAL_FORMS": "0", "sources-INITIAL_FORMS": "0",
            },
        )  # fmt: skip
    assert response.status_code == 302
    tip_request.refresh_from_db()
    assert tip_request.status == TipRequest.Status.ANSWERED
    assert tip_request.answer_tip.title == "Citrus in the Compost"
    assert len(mail.outbox) == 1
    assert tip_request.answer_tip.get_absolute_url() in mail.outbox[0].body


def test_answering_in_the_request_form_links_the_tip_and_tells_the_requester(
    editor_client, django_capture_on_commit_callbacks
):
    tip = make_tip()
    tip_request = make_tip_request(email="ana@example.com", topic=tip.category.topic)
    url = reverse("admin:requests_app_tiprequest_change", args=[tip_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url,
            {
                "question": tip_request.question, "details": "", "topic": tip_request.topic_id,
                "category": "", "name": "", "email": "ana@example.com", "status": "answered",
                "assigned_guru": "", "answer_tip": tip.pk,
            },
        )  # fmt: skip
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_answered_without_a_tip_is_refused_by_the_field(editor_client):
    tip_request = make_tip_request()
    url = reverse("admin:requests_app_tiprequest_change", args=[tip_request.pk])
    response = editor_client.post(
        url,
        {
            "question": tip_request.question, "details": "", "topic": tip_request.topic_id,
            "category": "", "name": "", "email": "", "status": "answered",
            "assigned_guru": "", "answer_tip": "",
        },
    )  # fmt: skip
    assert "Choose the tip that answers this request." in response.content.decode()
    tip_request.refresh_from_db()
    assert tip_request.status == TipRequest.Status.NEW
