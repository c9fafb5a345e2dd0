import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from comments.services import tips_refresh_comment_counts
from tests.factories import make_tip

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
