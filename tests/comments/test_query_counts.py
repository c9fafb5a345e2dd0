import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from comments.services import tips_refresh_comment_counts
from tests.factories import comment_data, make_tip

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_comments(tip, n):
    Comment.objects.bulk_create(
        Comment(tip=tip, name=f"R{i}", email=f"r{i}@example.com", body=f"Note {i}",
                status=Comment.Status.APPROVED, fingerprint=f"{tip.pk}-{i}")
        for i in range(n)
    )  # fmt: skip
    tips_refresh_comment_counts(tip_ids=[tip.pk])


def test_tip_page_query_count_is_the_same_with_0_1_and_500_comments(client):
    tips = [make_tip() for _ in range(3)]
    for tip, n in zip(tips, (0, 1, 500), strict=True):
        add_comments(tip, n)
    counts = [queries_for(client, tip.get_absolute_url()) for tip in tips]
    assert '<h2 id="comments-heading" class="comments__heading">500 comments</h2>' in (
        client.get(tips[2].get_absolute_url()).content.decode()
    )
    assert counts[0] == counts[1] == counts[2]
    assert queries_for(client, tips[2].get_absolute_url() + "?comments=10") == counts[0]


def test_a_published_comment_costs_one_read_and_two_writes(client, settings):
    settings.COMMENTS_MODERATION = "none"
    tip = make_tip()
    add_comments(tip, 2)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("comments:post", args=[tip.pk]), comment_data())
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert [sql.split()[0] for sql in statements] == ["SELECT", "UPDATE", "INSERT"]
    # The tip without its body or its gurus; the count and the comment's place in one UPDATE.
    assert '"body_html"' not in statements[0]
    assert "tips_guru" not in statements[0]
    assert "RETURNING" in statements[1]
    comment = Comment.objects.get(body=comment_data()["body"])
    assert response["Location"] == f"{tip.get_absolute_url()}#{comment.anchor}"
    tip.refresh_from_db()
    assert tip.comment_count == 3


def test_the_tip_page_reads_only_what_it_shows_of_each_comment(client):
    tip = make_tip()
    add_comments(tip, 3)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(tip.get_absolute_url()).content.decode()
    read = [q["sql"] for q in queries if 'FROM "comments_comment"' in q["sql"]]
    assert len(read) == 1
    # Never the commenters' e-mail or network address: not even into the worker's memory.
    for private in ("email", "ip_address", "user_agent", "moderation_note"):
        assert f'"comments_comment"."{private}"' not in read[0]
    first = Comment.objects.filter(tip=tip).order_by("submitted_at", "pk").first()
    assert f'<article class="comment" id="{first.anchor}">' in page
    assert page.index("Note 0") < page.index("Note 1") < page.index("Note 2")
