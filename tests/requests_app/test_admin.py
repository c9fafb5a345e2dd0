import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from requests_app.admin import suggest_title
from requests_app.models import TipRequest
from tests.factories import (
    EMPTY_TIP_INLINES,
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
        details="My worms seem to avoid them.\nIs that <normal>?",
    )  # fmt: skip
    changelist = editor_client.get(
        reverse("admin:requests_app_tiprequest_changelist")
    ).content.decode()
    add_url = changelist.split('">Write this tip')[0].rsplit('href="', 1)[1].replace("&amp;", "&")

    form = editor_client.get(add_url).content.decode()
    assert 'value="Can I compost citrus peels?"' in form
    assert 'name="title" value="Can I compost citrus peels"' in form
    # The reader's details, read-only above the form (escaped, line breaks kept).
    assert "My worms seem to avoid them.<br>Is that &lt;normal&gt;?" in form
    assert 'name="details"' not in form
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
                **EMPTY_TIP_INLINES,
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


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("What is neuromuscular therapy?", "Neuromuscular therapy"),
        ("what are the best herbs for a balcony?", "The best herbs for a balcony"),
        (
            "  How often should I water tomatoes in July? ",
            "How often should I water tomatoes in July",
        ),
        ("What is?", "What is"),
    ],
)
def test_write_this_tip_suggests_a_title_from_the_question(question, title):
    assert suggest_title(question) == title


def test_a_guru_writing_from_a_request_neither_sees_nor_answers_it(client):
    """Requests are the editors' to triage: ``from_request`` in a guru's address does nothing."""
    from tests.factories import GURU_PASSWORD, make_guru_user

    make_guru_user("writer")
    category = make_category()
    tip_request = make_tip_request(topic=category.topic, details="Private details here.")
    client.login(username="writer", password=GURU_PASSWORD)
    url = f"{reverse('admin:tips_tip_add')}?from_request={tip_request.pk}"
    assert "Private details here." not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "A guru's tip", "slug": "a-gurus-tip", "question": "Why?", "body": "Because.",
            "category": category.pk, "image_alt": "",
            **EMPTY_TIP_INLINES,
        },
    )  # fmt: skip
    assert response.status_code == 302
    tip_request.refresh_from_db()
    assert tip_request.status == TipRequest.Status.NEW
    assert tip_request.answer_tip is None
