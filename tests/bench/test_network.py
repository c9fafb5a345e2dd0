"""The benchmark's network generator: what it loads is what the manifest says, at any size."""

import dataclasses
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench import network
from bench.generate import ensure_postgres_database
from bench.progress import Phases
from bench.queries import page_queries, small_database_url
from comments.models import Comment
from tests.factories import make_topic
from tips.models import Category, Tip
from tips.search import SearchResults

# The generator empties and refills tables, outside any test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _may_wipe_the_test_database(monkeypatch):
    """The generator refuses CI's databases; the test database is the one place it may run."""
    monkeypatch.setattr(network, "PROTECTED_DATABASES", set())


def build(tips: int = 100, comments: int = 1_000, **sizes):
    size = dataclasses.replace(network.SIZES["tiny"], tips=tips, comments=comments, **sizes)
    return network.build(size=size, seed=7, phases=Phases())


def test_the_network_is_what_the_manifest_says(client):
    manifest = build()
    facts = manifest["facts"]

    assert Tip.objects.count() == manifest["size"]["tips"] == 100
    assert Comment.objects.count() == manifest["size"]["comments"] == 1_000
    assert Tip.objects.published().count() == facts["public_tips"]
    assert Tip.objects.unpublished().count() == facts["hidden_tips"] > 0
    assert not Comment.objects.filter(tip__in=Tip.objects.unpublished().values("pk")).exists()
    designated = Tip.objects.get(comment_count=facts["designated_tip_comments"])
    assert designated.comments.public().count() == 500
    assert not designated.category.topic.featured_guru_id, "its spotlight rotates"
    assert SearchResults(facts["common_word"]).count() == facts["common_word_tips"]
    assert SearchResults(facts["rare_word"]).count() == facts["rare_word_tips"] == 5
    big = Category.objects.get(pk=1)
    assert Tip.objects.published().filter(category=big).count() == facts["big_category_tips"]
    for page in manifest["pages"]:
        response = client.get(page["path"])
        assert response.status_code == 200, page
    post = manifest["comment_post"]
    assert Tip.objects.get(pk=post["tip_id"]).comments.public().count() == 3
    assert client.get(post["tip_path"]).status_code == 200
    assert len({page["kind"] for page in manifest["pages"]}) == len(manifest["pages"])


def test_the_crawl_lists_hold_every_public_page_once(client):
    """What the crawl rows walk: each address once, every public tip, every category page."""
    lists = build()["lists"]
    for kind, paths in lists.items():
        assert len(set(paths)) == len(paths), kind
    public = Tip.objects.published()
    assert sorted(lists["tips"]) == sorted(tip.get_absolute_url() for tip in public)
    pages = sum(
        max(1, -(-public.filter(category=category).count() // 20))
        for category in Category.objects.all()
    )
    assert len(lists["categories"]) == pages
    assert len(lists["searches"]) > 1_000, "more than any crawl row at c=8 sends"
    assert "/search/?q=practice" in lists["searches"]
    assert "/search/?q=quillwork" in lists["searches"]
    assert lists["listings"][0] == "/"
    # Every category page, so none is listed past a category's end (that would be a 404).
    for path in [
        *lists["tips"][:3],
        *lists["categories"],
        *lists["searches"][:3],
        *lists["listings"],
    ]:
        assert client.get(path).status_code == 200, path


def test_the_same_seed_builds_the_same_network():
    first = build()
    titles = list(Tip.objects.order_by("pk").values_list("title", "status", "category_id"))
    assert build() == first
    assert list(Tip.objects.order_by("pk").values_list("title", "status", "category_id")) == (
        titles
    )


def test_it_refuses_to_empty_a_database_it_did_not_fill():
    make_topic(description="An editor's real topic.")
    with pytest.raises(SystemExit, match="did not make"):
        build()
    assert Tip.objects.count() == 0


def test_no_page_needs_more_queries_at_three_times_the_size(settings):
    """What `make bench` shows beside its tables, asserted at small sizes on both engines."""
    settings.PAGE_CACHE_SECONDS = 600
    small = page_queries(build(tips=100, comments=1_000))
    large = page_queries(build(tips=300, comments=3_000, categories=8, gurus=8))
    assert large == small


def test_the_small_network_lives_beside_the_large_one():
    assert small_database_url("postgres://u@db:5432/bench") == "postgres://u@db:5432/bench_100"
    assert small_database_url("sqlite:////srv/big.sqlite3").endswith("bench/data/bench-100.sqlite3")


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
)
def test_the_benchmark_creates_its_postgresql_database_when_the_server_has_none():
    import psycopg

    name = f"bench_created_{uuid.uuid4().hex[:8]}"
    server = os.environ["DATABASE_URL"]
    url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    try:
        for _ in range(2):  # and leaves it be the second time
            ensure_postgres_database(url)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
