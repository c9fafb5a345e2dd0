"""Search behaves the same on SQLite (FTS5) and PostgreSQL; CI runs this file on both."""

import datetime
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_category, make_tip, make_topic
from tips import services
from tips.models import SearchMiss, Tip
from tips.search import (
    PG_COLUMN,
    PG_CONFIG,
    PG_TITLE_INDEX,
    PostgresEngine,
    SearchResults,
    pg_title_document,
)
from tipsite.pagecache import content_changed

pytestmark = pytest.mark.django_db

NASTY_QUERIES = [
    '"', "'", '""', "*", "NEAR(", "NEAR(a b", "AND", "OR", "NOT", "a AND", "(", ")", "^", "-",
    ":", "title:massage", "{}", "%", "_", "\\", "\x00", "massage\x00", "?", "!", ".", "…",
    "x" * 5000, "word " * 1000, "массаж", "按摩", "マッサージ", "تدليك", "😀",
    "<script>alert(1)</script>",
    "' OR 1=1 --", "; DROP TABLE tips_tip;", "\u202e", "massage*", '"massage', "massage -oil",
]  # fmt: skip


def titles(query, **kwargs):
    return [hit.tip.title for hit in SearchResults(query, **kwargs)[:50]]


def test_stemming_finds_other_forms_of_a_word():
    make_tip(title="Deep Tissue Basics", body="A massage that works the deeper layers.")
    assert titles("massages") == ["Deep Tissue Basics"]
    assert titles("Massaging") == ["Deep Tissue Basics"]


def test_title_matches_rank_above_body_matches():
    category = make_category()
    make_tip(category=category, title="Kitchen Tools", body="A sharp knife is safer.")
    make_tip(category=category, title="Knife Skills", body="Hold it firmly.")
    assert titles("knife") == ["Knife Skills", "Kitchen Tools"]


def test_every_remaining_word_must_match_and_common_words_are_ignored():
    make_tip(title="Water Tomatoes Deeply", body="Soak the roots.")
    make_tip(title="Water Lettuce Lightly", body="Keep leaves dry.")
    assert titles("How should I water my tomatoes?") == ["Water Tomatoes Deeply"]


def test_the_category_name_is_searched_too():
    category = make_category(name="Composting")
    make_tip(category=category, title="Green and Brown", body="Mix kitchen scraps with leaves.")
    assert titles("composting") == ["Green and Brown"]


def test_drafts_and_scheduled_tips_are_never_found():
    make_tip(title="Public Pruning")
    make_tip(title="Draft Pruning", status=Tip.Status.DRAFT)
    make_tip(title="Later Pruning", publish_at=timezone.now() + datetime.timedelta(days=1))
    assert titles("pruning") == ["Public Pruning"]


def test_the_topic_filter_keeps_results_in_one_topic():
    garden, kitchen = make_topic(), make_topic()
    make_tip(category=make_category(topic=garden), title="Garden Salt")
    make_tip(category=make_category(topic=kitchen), title="Kitchen Salt")
    assert titles("salt", topic=kitchen) == ["Kitchen Salt"]


def test_the_index_follows_edits_renames_and_deletes():
    tip = make_tip(title="Old Name", body="Plain words.")
    tip.title = "Brand New Heading"
    tip.save()
    assert titles("heading") == ["Brand New Heading"]
    assert titles("old") == []
    category = tip.category
    category.name = "Fermentation"
    category.save()
    assert titles("fermentation") == ["Brand New Heading"]
    tip.delete()
    assert titles("heading") == []
    Tip.objects.bulk_create(
        [Tip(category=category, title="Bulk Sourdough", slug="bulk", question="?", body="b",
             status=Tip.Status.PUBLISHED, publish_at=timezone.now())]
    )  # fmt: skip
    assert titles("sourdough") == ["Bulk Sourdough"]


def test_the_rebuild_command_refills_the_index():
    make_tip(title="Rebuilt Tip")
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert titles("rebuilt") == ["Rebuilt Tip"]
    assert connection.vendor in out.getvalue()


def test_snippets_highlight_matches_and_escape_the_text(client):
    make_tip(title="Sauce", body="Stir the <b>roux</b> & whisk until the roux is smooth.")
    html = client.get("/search/", {"q": "roux"}).content.decode()
    snippet = html.split('class="search-results__snippet">')[1].split("</p>")[0]
    assert "<mark>roux</mark>" in snippet
    assert "&amp; whisk" in snippet
    assert "<b>" not in snippet, "text from the tip is escaped; only <mark> is markup"


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_any_text_is_a_valid_query(client, query):
    make_tip(title="Massage Oil", body="Warm the oil first.")
    response = client.get("/search/", {"q": query, "page": "2x"})
    assert response.status_code == 200
    assert 'role="search"' in response.content.decode()


def test_no_results_says_so_offers_a_request_and_records_the_search(client):
    make_tip(title="Something Else")
    html = client.get("/search/", {"q": "Zebra grooming!"}).content.decode()
    assert "No tips match “Zebra grooming!”" in html
    assert 'href="/request-a-tip/?q=Zebra%20grooming%21">Request a Tip Now!' in html
    client.get("/search/", {"q": "zebra   GROOMING"})
    miss = SearchMiss.objects.get()
    assert (miss.query, miss.count) == ("zebra grooming", 2)
    client.get("/search/", {"q": "something"})
    client.get("/search/", {"q": ""})
    assert SearchMiss.objects.count() == 1


def test_the_same_miss_again_is_counted_on_its_one_row_and_moves_its_last_time(client):
    """However it is spelled, one query is one row: a count and when it was last searched."""
    first = timezone.now() - datetime.timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=first):
        client.get("/search/", {"q": "Zebra grooming"})
    for query in ("zebra grooming", "  ZEBRA\tGrooming!  ", "grooming the zebra"):
        client.get("/search/", {"q": query})
    miss = SearchMiss.objects.get(query="zebra grooming")
    assert miss.count == 3
    assert miss.last_searched_at > first + datetime.timedelta(days=1)
    assert SearchMiss.objects.count() == 2, "other words (and their order) make their own"


@pytest.mark.django_db(transaction=True)
def test_two_misses_of_a_new_query_at_once_end_as_one_row_counted_twice():
    """Both find no row and both insert: the second one's insert fails and it counts instead."""
    both_looked = threading.Barrier(2, timeout=10)

    class InsertOnceBothLooked:
        """The services' ``transaction``, whose insert starts only once both found no row."""

        def atomic(self):
            both_looked.wait()
            return transaction.atomic()

    def miss(_):
        try:
            services.search_record_miss(query="Zebra grooming")
        finally:
            connection.close()  # each thread's own connection

    with (
        mock.patch("tips.services.transaction", InsertOnceBothLooked()),
        ThreadPoolExecutor(2) as pool,
    ):
        list(pool.map(miss, range(2)))
    assert list(SearchMiss.objects.values_list("query", "count")) == [("zebra grooming", 2)]


def test_searches_nobody_made_within_the_retention_period_are_forgotten(settings):
    settings.SEARCH_MISS_RETENTION_DAYS = 90
    now = timezone.now()
    for query, days_ago in (("old miss", 91), ("recent miss", 89), ("todays miss", 0)):
        SearchMiss.objects.create(query=query, last_searched_at=now - datetime.timedelta(days_ago))
    out = io.StringIO()
    call_command("tips_prune_search_misses", stdout=out)
    assert sorted(SearchMiss.objects.values_list("query", flat=True)) == [
        "recent miss",
        "todays miss",
    ]
    assert "Forgot 1 search" in out.getvalue()
    call_command("tips_prune_search_misses", "--days=30", stdout=out)
    assert list(SearchMiss.objects.values_list("query", flat=True)) == ["todays miss"]


def test_results_are_paginated_and_keep_the_query(client):
    category = make_category()
    for i in range(12):
        make_tip(category=category, title=f"Basil tip {i}")
    html = client.get("/search/", {"q": "basil"}).content.decode()
    assert "12 tips found" in html
    assert html.count('class="tip-card"') == 10
    assert 'href="?q=basil&amp;page=2"' in html
    second = client.get("/search/", {"q": "basil", "page": 2}).content.decode()
    assert second.count('class="tip-card"') == 2


def test_every_page_has_the_search_box_in_its_header(client):
    tip = make_tip()
    for url in ("/", tip.get_absolute_url(), "/request-a-tip/", "/no/such/page/"):
        html = client.get(url).content.decode()
        header = html.split('<header class="site-header">')[1].split("</header>")[0]
        assert 'action="/search/"' in header
        assert 'name="q"' in header


def count_queries(client, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", {"q": query}).status_code == 200
    return len(queries)


def test_search_query_count_does_not_grow_with_results(client):
    category = make_category()
    for i in range(3):
        make_tip(category=category, title=f"Thyme {i}")
    for i in range(30):
        make_tip(category=category, title=f"Sage {i}")
    assert count_queries(client, "thyme") == count_queries(client, "sage")


def search_now(query: str, window=slice(0, 10)) -> tuple[int, list[str], int]:
    """How many match, the titles in ``window``, and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        results = SearchResults(query)
        titles = [hit.tip.title for hit in results[window]]
        count = results.count()
    return count, titles, len(queries)


def test_a_repeated_search_reuses_its_ranking_until_the_content_changes(settings):
    settings.PAGE_CACHE_SECONDS = 600
    make_tip(title="Rosemary cuttings")
    content_changed()
    first = search_now("rosemary")
    again = search_now("rosemary")
    assert again[:2] == first[:2] == (1, ["Rosemary cuttings"])
    assert again[2] == 2, "neither counted nor ranked again: only the tips and snippets loaded"
    assert first[2] > again[2]

    make_tip(title="Rosemary oil")
    content_changed()  # what committing the new tip announces
    count, titles, _ = search_now("rosemary")
    assert (count, sorted(titles)) == (2, ["Rosemary cuttings", "Rosemary oil"])


def test_result_pages_beyond_the_kept_ranking_are_ranked_afresh(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 600
    monkeypatch.setattr("tips.search.KEPT_HITS", 5)
    for i in range(25):
        make_tip(title=f"Chive tip {i}")
    everything = search_now("chive", slice(0, 25))[1]
    count, second_page, _ = search_now("chive", slice(10, 20))
    assert count == 25
    assert second_page == everything[10:20]


# What ANALYZE found on the bench network (100,000 tips, bench/generate.py).
BENCH_TIP_STATISTICS = [
    ("tip_category_public_idx", "100000 250 142 1 1 1 1"),
    ("tip_sitemap_idx", "100000 1 1 1 1 1 1"),
    ("tip_public_updated_idx", "100000 50000 1 1 1"),
    ("tip_guru_public_idx", "100000 500 256 1 1"),
    ("tip_public_idx", "100000 50000 1 1"),
    ("tips_tip_guru_id_e83763a8", "100000 500"),
    ("tips_tip_category_id_3bd890b3", "100000 250"),
    ("tips_tip_slug_6471e9a7", "100000 1"),
    ("sqlite_autoindex_tips_tip_1", "100000 250 1"),
]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_the_hidden_tips_every_sqlite_search_leaves_out_are_read_from_two_index_ranges():
    """With a big site's statistics (two statuses share 100,000 tips), an OR of the drafts
    and the scheduled tips made SQLite scan the whole status index for every search: 18 ms."""
    make_tip()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'tips_tip'")
        cursor.executemany(
            "INSERT INTO sqlite_stat1 VALUES ('tips_tip', %s, %s)", BENCH_TIP_STATISTICS
        )
        cursor.execute("ANALYZE sqlite_schema")  # read the statistics again
        sql, params = Tip.objects.unpublished().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall() if "tips_tip" in row[-1]]
    assert len(plan) == 2
    assert all(step.startswith("SEARCH tips_tip USING COVERING INDEX") for step in plan), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's count")
def test_postgresql_counts_the_matches_in_no_order():
    """Ordered newest first, the count walked the public tips' index testing each document
    (14 ms for a two-word search of the bench) instead of reading the GIN index (6 ms)."""
    make_tip(title="Basil in pots")
    with CaptureQueriesContext(connection) as captured:
        assert SearchResults("basil").count() == 1
    counts = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]
    assert len(counts) == 1
    assert "ORDER BY" not in counts[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored document")
def test_postgresql_keeps_each_tips_search_document_in_its_row():
    """Ranking reads the document of every match: from TOAST that was six times slower."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'tips_tip'::regclass "
            "AND attname = %s",
            [PG_COLUMN],
        )
        assert cursor.fetchone() == ("m",)


def test_a_common_word_ranks_a_bounded_set_that_still_holds_the_best_matches(monkeypatch):
    """Only the newest matches and those in a title or question are ranked; an old tip with
    the word in its title still comes first, and every match is still found and counted."""
    monkeypatch.setattr("tips.search.RANKED_CANDIDATES", 3)
    best = make_tip(title="Lavender pruning", body="Cut back by a third.")
    for i in range(8):
        make_tip(title=f"Garden note {i}", body=f"Lavender and more lavender, note {i}.")
    results = SearchResults("lavender")
    assert results.count() == 9
    first_page = [hit.tip for hit in results[0:3]]
    assert first_page[0] == best
    everything = [hit.tip.pk for hit in results[0:9]]
    assert sorted(everything) == sorted(Tip.objects.values_list("pk", flat=True))
    assert [hit.tip.pk for hit in results[3:9]] == everything[3:9]


def test_a_rare_word_is_ranked_exactly_as_before(monkeypatch):
    """With fewer matches than are ranked, the order is the engine's full ranking."""
    for i in range(4):
        make_tip(title=f"Tip {i}", body="quince " * (i + 1) + "filler " * 30)
    make_tip(title="Quince jelly")
    ranked = [hit.tip.title for hit in SearchResults("quince")[0:5]]
    monkeypatch.setattr("tips.search.RANKED_CANDIDATES", 1_000_000)
    assert [hit.tip.title for hit in SearchResults("quince")[0:5]] == ranked
    assert ranked[0] == "Quince jelly"


def test_with_several_words_one_of_them_in_an_old_title_still_ranks_first(monkeypatch):
    """A tip whose title holds one of the words (its body the other) is among those ranked."""
    monkeypatch.setattr("tips.search.RANKED_CANDIDATES", 3)
    best = make_tip(title="Lavender hedges", body="Prune them in spring.")
    for i in range(8):
        make_tip(title=f"Garden note {i}", body=f"Lavender, and prune once, note {i}.")
    assert [hit.tip for hit in SearchResults("prune lavender")[0:1]] == [best]


def test_matches_beyond_the_ranked_candidates_follow_newest_first(monkeypatch):
    """A body that repeats the word outranks the rest only while it is among the candidates;
    past them, matches come newest first, and every page agrees with the first."""
    old = make_tip(title="Kitchen note", body="Fennel, " * 20 + "and more fennel.")
    newer = [make_tip(title=f"Garden note {i}", body=f"Fennel once, note {i}.") for i in range(6)]
    assert titles("fennel")[0] == "Kitchen note", "the full ranking puts the old tip first"

    monkeypatch.setattr("tips.search.RANKED_CANDIDATES", 3)
    results = SearchResults("fennel")
    assert results.count() == 7
    everything = [hit.tip for hit in results[0:7]]
    assert set(everything[:3]) == set(newer[3:])
    assert everything[3:] == [newer[2], newer[1], newer[0], old]
    assert [hit.tip for hit in results[2:5]] == everything[2:5]


def test_the_first_places_read_the_matches_from_the_oldest_candidate_on(monkeypatch):
    """They agree with the order of every match; on SQLite, FTS5 is given the oldest
    candidate's rowid to start from, instead of testing every match against the candidates,
    and the candidates are found once."""
    monkeypatch.setattr("tips.search.RANKED_CANDIDATES", 3)
    monkeypatch.setattr("tips.search.TITLE_CANDIDATES", 2)
    make_tip(title="Sorrel soup", body="A soup.")
    for i in range(8):
        make_tip(title=f"Garden note {i}", body="Sorrel, " * (i % 3 + 1) + f"note {i}.")
    engine = SearchResults("sorrel").engine
    assert engine.count() == 9
    with CaptureQueriesContext(connection) as captured:
        first = engine.ranked_ids(0, 3)
    assert first == engine.ranked_ids(0, None)[:3]
    assert Tip.objects.get(title="Sorrel soup").pk in first
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + captured.captured_queries[-1]["sql"])
            plan = cursor.fetchall()
        scans = [row[-1] for row in plan if row[1] == 0]
        assert ">" in scans[0].split(":")[-1], scans  # FTS5's plan: MATCH, from a rowid on
        # The candidates are found once (the newest matches, the newest in titles), not once
        # for the oldest and again for the rest.
        fts_scans = [row[-1] for row in plan if row[-1].startswith("SCAN tips_tip_fts")]
        assert len(fts_scans) == 3, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's title index")
def test_postgresql_finds_the_words_in_titles_from_their_own_index():
    """The weighted document's index holds no weights: asking it which tips hold a word in a
    title rechecked the document of every tip holding the word anywhere."""
    make_tip(title="Sorrel soup")
    in_titles = Tip.objects.annotate(titles=pg_title_document()).filter(
        titles=SearchQuery("sorrel", config=PG_CONFIG)
    )
    assert in_titles.count() == 1
    sql, params = in_titles.values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert PG_TITLE_INDEX in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's two plans")
def test_postgresql_finds_the_same_newest_matches_either_way(monkeypatch):
    """The newest matches are found walking the key (many matches) or from the GIN index
    (fewer): the choice changes the cost, never the candidates."""
    monkeypatch.setattr("tips.search.RANKED_CANDIDATES", 3)
    for i in range(8):
        make_tip(title=f"Garden note {i}", body="Borage " * (8 - i) + f"note {i}.")
    orders = []
    for tips in (0, 10**9):  # walked when matches² > candidates × tips, else read from GIN
        monkeypatch.setattr(PostgresEngine, "_tips", tips)
        orders.append([hit.tip.title for hit in SearchResults("borage")[0:8]])
    assert orders[0] == orders[1]
    assert orders[0][3:] == [f"Garden note {i}" for i in range(4, -1, -1)]


def test_past_the_counted_matches_a_search_says_more_than_and_its_pages_end_there(
    client, monkeypatch
):
    monkeypatch.setattr("tips.search.COUNTED_MATCHES", 3)
    for i in range(5):
        make_tip(title=f"Borage flowers {i}")
    results = SearchResults("borage")
    assert (results.count(), results.more_than_counted) == (3, True)
    page = client.get("/search/", {"q": "borage"}).content.decode()
    assert "More than 3 tips found" in page
    assert page.count('class="search-results__snippet"') == 3


def test_as_many_matches_as_are_counted_are_counted_exactly(client, monkeypatch):
    monkeypatch.setattr("tips.search.COUNTED_MATCHES", 3)
    for i in range(3):
        make_tip(title=f"Sorrel soup {i}")
    results = SearchResults("sorrel")
    assert (results.count(), results.more_than_counted) == (3, False)
    page = client.get("/search/", {"q": "sorrel"}).content.decode()
    assert "3 tips found" in page
    assert "More than" not in page
