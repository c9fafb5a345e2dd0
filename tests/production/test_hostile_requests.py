"""Hostile input that used to make a 500 (on PostgreSQL, or on both databases): each gets a
field error, the proxy's address, a 400 or the admin's "wrong filter" redirect instead."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from comments.forms import CommentForm
from comments.models import Comment
from requests_app.forms import TipRequestForm
from requests_app.models import TipRequest
from tests.factories import (
    comment_data,
    image_upload,
    make_comment,
    make_tip,
    make_topic,
    request_data,
    vote_data,
)
from tips.forms import VoteForm
from tips.models import Vote

pytestmark = pytest.mark.django_db

# A well-formed address one character longer than the 254 the e-mail columns hold.
LONG_EMAIL = "a" * 60 + "@" + ".".join(["b" * 60] * 3) + ".example.com"


@pytest.mark.parametrize(
    ("form_class", "model"),
    [(CommentForm, Comment), (TipRequestForm, TipRequest), (VoteForm, Vote)],
)
def test_no_public_form_field_takes_more_than_its_column_holds(form_class, model):
    """What a form accepts, the database stores: longer text would be a 500 on PostgreSQL."""
    form = form_class()
    columns = {field.name: field for field in model._meta.get_fields() if hasattr(field, "column")}
    checked = 0
    for name, field in form.fields.items():
        column = columns.get(name)
        if column is None or column.get_internal_type() == "TextField" or not column.max_length:
            continue
        assert field.max_length is not None, name
        assert field.max_length <= column.max_length, name
        checked += 1
    assert checked >= 1


def test_a_request_with_a_too_long_email_gets_a_message_and_keeps_the_typing(client):
    assert len(LONG_EMAIL) == 255
    data = request_data(make_topic(), email=LONG_EMAIL, details="My plants wilt by noon.")
    response = client.post(reverse("requests_app:request"), data)
    assert response.status_code == 200
    html = response.content.decode()
    error = html.split('id="error_1_id_email">', 1)[1].split("</p>", 1)[0]
    assert "at most 254 characters" in error
    assert LONG_EMAIL in html
    assert "My plants wilt by noon." in html
    assert not TipRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "n" * 51), ("email", LONG_EMAIL), ("url", "https://example.com/" + "x" * 200)],
)
def test_a_comment_with_a_too_long_field_gets_a_message(client, field, value):
    tip = make_tip()
    response = client.post(reverse("comments:post", args=[tip.pk]), comment_data(**{field: value}))
    assert response.status_code == 200
    assert "at most" in response.content.decode()
    assert not Comment.objects.exists()


FORWARDED = [
    ("not-an-ip", "10.0.0.9"),
    ("999.1.1.1", "10.0.0.9"),
    ("1.2.3.4, <script>", "10.0.0.9"),
    ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
    ("203.0.113.7", "203.0.113.7"),
]


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = 1
    settings.COMMENTS_MODERATION = "first"


@pytest.mark.usefixtures("behind_one_proxy")
@pytest.mark.parametrize(("forwarded", "stored"), FORWARDED)
def test_a_comment_stores_a_valid_ip_whatever_the_forwarded_header_says(client, forwarded, stored):
    """A hop that is no address is the client's own writing: the proxy's address is kept."""
    tip = make_tip()
    response = client.post(
        reverse("comments:post", args=[tip.pk]),
        comment_data(),
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 302
    assert Comment.objects.get().ip_address == stored


@pytest.mark.usefixtures("behind_one_proxy")
@pytest.mark.parametrize(("forwarded", "stored"), FORWARDED)
def test_a_tip_request_stores_a_valid_ip_whatever_the_forwarded_header_says(
    client, forwarded, stored
):
    response = client.post(
        reverse("requests_app:request"),
        request_data(make_topic()),
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 302
    assert TipRequest.objects.get().ip_address == stored


@pytest.mark.parametrize(
    "address",
    [
        "/search/?q=%00",
        "/search/?q=tomato%00es&topic=%00&page=%00",
        "/request-a-tip/?topic=%00&category=%00&q=%00",
        "/request-a-tip/suggestions/?q=%00",
        "/no-such-topic%00/",
        "/media/%00",
    ],
)
def test_a_nul_in_a_public_address_is_no_500(client, address):
    """Readers' pages drop a NUL before the database sees it (PostgreSQL refuses one)."""
    make_tip(title="Tomatoes")
    assert client.get(address).status_code in (200, 404)


def test_a_raw_nul_in_an_admin_query_string_gets_400(editor_client):
    url = reverse("admin:comments_comment_changelist")
    response = editor_client.get(url, QUERY_STRING="q=\x00")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_a_nul_in_a_comment_is_a_field_error(client):
    tip = make_tip()
    data = comment_data(name="Ma\x00ya", body="Nice\x00 tip, thanks")
    response = client.post(reverse("comments:post", args=[tip.pk]), data)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_nul_in_a_tip_request_is_a_field_error(client):
    data = {**request_data(make_topic()), "question": "How often\x00 should I water?"}
    response = client.post(reverse("requests_app:request"), data)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not TipRequest.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "status__exact=%00",
        "status__exact=%00&submitted_at__year=2024",
        "q=%00",
    ],
)
def test_a_nul_in_an_admin_list_filter_gets_400(editor_client, query):
    make_comment()
    response = editor_client.get(f"{reverse('admin:comments_comment_changelist')}?{query}")
    assert response.status_code == 400


def test_a_nul_in_an_admin_add_form_or_autocomplete_gets_400(editor_client):
    assert editor_client.get(reverse("admin:tips_tip_add") + "?category=%00").status_code == 400
    autocomplete = reverse("admin:autocomplete")
    for params in (
        "term=%00&app_label=comments&model_name=comment&field_name=tip",
        "term=x&app_label=comments%00&model_name=comment&field_name=tip",
        "term=x&app_label=comments&model_name=comment%00&field_name=tip",
        "term=x&app_label=comments&model_name=comment&field_name=tip%00",
    ):
        assert editor_client.get(f"{autocomplete}?{params}").status_code == 400, params


@pytest.mark.parametrize(
    ("changelist", "field"),
    [
        ("admin:comments_comment_changelist", "submitted_at"),
        ("admin:requests_app_tiprequest_changelist", "submitted_at"),
        ("admin:tips_tip_changelist", "publish_at"),
    ],
)
@pytest.mark.parametrize(
    "dates",
    [
        {"year": "99999999999"},
        {"year": "9999"},
        {"year": "9999", "month": "12"},
        {"year": "9999", "month": "12", "day": "31"},
        {"year": "2024", "month": "99999999999"},
        {"year": "2024", "month": "1", "day": "99999999999"},
    ],
)
def test_an_impossible_date_in_a_list_is_a_wrong_filter(editor_client, changelist, field, dates):
    """Like any other wrong filter: back to the plain list, which says so (``?e=1``)."""
    url = reverse(changelist)
    query = "&".join(f"{field}__{part}={value}" for part, value in dates.items())
    response = editor_client.get(f"{url}?{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"


def test_a_possible_date_in_a_list_still_filters(editor_client):
    make_comment(body="Posted this year")
    url = reverse("admin:comments_comment_changelist")
    comment = Comment.objects.get()
    year = timezone.localtime(comment.submitted_at).year
    response = editor_client.get(f"{url}?submitted_at__year={year}")
    assert response.status_code == 200
    assert "Posted this year" in response.content.decode()


THREE_MB = 3 * 1024 * 1024


@pytest.fixture
def spooled(monkeypatch):
    """Every file Django starts to keep for an upload, in memory or on disk."""
    from django.core.files import uploadhandler

    started = []
    for handler in (
        uploadhandler.TemporaryFileUploadHandler,
        uploadhandler.MemoryFileUploadHandler,
    ):
        original = handler.new_file

        def new_file(self, *args, _original=original, **kwargs):
            started.append(args[1] if len(args) > 1 else kwargs.get("file_name"))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(handler, "new_file", new_file)
    return started


def with_a_file(data: dict) -> dict:
    return {**data, "attachment": SimpleUploadedFile("big.bin", b"x" * THREE_MB)}


def test_a_file_part_on_the_comment_form_gets_400_and_nothing_is_kept(client, spooled):
    tip = make_tip()
    response = client.post(reverse("comments:post", args=[tip.pk]), with_a_file(comment_data()))
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert not Comment.objects.exists()
    assert spooled == []


def test_a_file_part_on_the_request_form_gets_400_and_nothing_is_kept(client, spooled):
    data = with_a_file(request_data(make_topic()))
    assert client.post(reverse("requests_app:request"), data).status_code == 400
    assert not TipRequest.objects.exists()
    assert spooled == []


def test_a_file_part_on_the_vote_form_gets_400_and_nothing_is_kept(client, spooled):
    tip = make_tip()
    response = client.post(
        reverse("tips:vote", args=[tip.pk]),
        with_a_file(vote_data()),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert not Vote.objects.exists()
    assert spooled == []


def test_a_multipart_vote_without_files_still_counts(client, spooled):
    """The vote script sends the form as FormData, which browsers send as multipart."""
    tip = make_tip()
    response = client.post(
        reverse("tips:vote", args=[tip.pk]), vote_data(), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert Vote.objects.get().helpful is True


def test_the_admin_still_takes_uploads(editor_client, spooled):
    tip = make_tip()
    url = reverse("admin:tips_tip_change", args=[tip.pk])
    editor_client.post(url, {"image": image_upload()})
    assert spooled == ["photo.png"]
