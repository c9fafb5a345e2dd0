"""Full-text search over published tips: one interface, two engines.

SQLite (the default) uses an FTS5 table kept in step with tips by triggers; PostgreSQL uses its
own full-text search over a GIN expression index. Both stem English ("massages" finds
"massage"), rank title above question above body, and turn any text a visitor types into a
query that cannot fail: only words survive, each quoted, so operators, quotes and stray
punctuation mean nothing.
"""

import functools
import operator
import re
from functools import cached_property

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Category, Tip, Topic

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
FTS_TABLE = "tips_tip_fts"
PG_CONFIG = "english"
PG_INDEX = "tip_search_idx"
# Characters no tip contains, so the snippet can be escaped and only then highlighted.
MARK_START, MARK_END = "\x02", "\x03"


# Words too common to narrow a search (PostgreSQL's English configuration drops the same kind).
STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for",
        "from", "how", "i", "if", "in", "into", "is", "it", "its", "my", "of", "on", "or",
        "should", "so", "than", "that", "the", "their", "then", "there", "these", "this", "to",
        "was", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your",
    }
)  # fmt: skip


def query_words(query: str) -> list[str]:
    """The searchable words of any text a visitor typed, at most ``MAX_WORDS``.

    Every remaining word must match (as on PostgreSQL), so common words are dropped unless
    nothing else is left.
    """
    words = list(dict.fromkeys(w.casefold()[:MAX_WORD_LENGTH] for w in WORD.findall(query)))
    meaningful = [word for word in words if word not in STOP_WORDS]
    return (meaningful or words)[:MAX_WORDS]


def normalise(query: str) -> str:
    return " ".join(query_words(query))


def pg_vector():
    """The document PostgreSQL searches; the GIN index is built on exactly this expression."""
    return (
        SearchVector("title", weight="A", config=PG_CONFIG)
        + SearchVector("question", weight="B", config=PG_CONFIG)
        + SearchVector("body", weight="C", config=PG_CONFIG)
    )


def highlight(text: str) -> SafeString:
    escaped = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - escaped above; only our <mark> tags are added


class Hit:
    """One search result: the tip and a highlighted snippet of where it matched."""

    def __init__(self, tip: Tip, snippet: SafeString):
        self.tip = tip
        self.snippet = snippet


class SearchResults:
    """Ranked published tips for a query; sliceable and countable, so it pages like a queryset."""

    def __init__(self, query: str, *, topic: Topic | None = None, any_word: bool = False):
        self.words = query_words(query)
        self.topic = topic
        # Every word must match (searching), or any of them (finding similar tips).
        self.any_word = any_word
        self.engine = (
            PostgresEngine(self) if connection.vendor == "postgresql" else SqliteEngine(self)
        )

    def count(self) -> int:
        return self._count

    @cached_property
    def _count(self) -> int:
        return self.engine.count() if self.words else 0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Hit]:
        if not self.words or not isinstance(window, slice):
            return []
        ids = self.engine.ranked_ids(window.start or 0, window.stop)
        tips = Tip.objects.select_related("category__topic", "guru").in_bulk(ids)
        snippets = self.engine.snippets(ids) if ids else {}
        return [Hit(tips[pk], highlight(snippets.get(pk, tips[pk].question))) for pk in ids]

    def tips(self, limit: int) -> list[Tip]:
        """Just the best ``limit`` tips, without counting or snippets."""
        if not self.words:
            return []
        ids = self.engine.ranked_ids(0, limit)
        tips = Tip.objects.select_related("category__topic", "guru").in_bulk(ids)
        return [tips[pk] for pk in ids]

    def public_tips(self):
        tips = Tip.objects.published()
        if self.topic is not None:
            tips = tips.filter(category__topic=self.topic)
        return tips


class SqliteEngine:
    # bm25 weights per FTS column: title, question, body, category.
    RANK = f"bm25({FTS_TABLE}, 10.0, 5.0, 1.0, 2.0)"

    def __init__(self, results: SearchResults):
        self.results = results
        joiner = " OR " if results.any_word else " "
        self.match = joiner.join('"' + word.replace('"', "") + '"' for word in results.words)

    def _where(self) -> tuple[str, list]:
        public = self.results.public_tips().order_by().values("pk")
        public_sql, public_params = public.query.sql_with_params()
        # The unary + keeps SQLite from handing the rowid test to FTS5, which would rerun the
        # MATCH once per public tip (172 s for a common word at 100,000 tips, 0.19 s without).
        return (
            f"{FTS_TABLE} MATCH %s AND +{FTS_TABLE}.rowid IN ({public_sql})",
            [self.match, *public_params],
        )

    def count(self) -> int:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {where}", params)  # noqa: S608
            return cursor.fetchone()[0]

    def ranked_ids(self, start: int, stop: int | None) -> list[int]:
        where, params = self._where()
        limit = -1 if stop is None else stop - start
        sql = (
            f"SELECT rowid FROM {FTS_TABLE} WHERE {where} "  # noqa: S608
            f"ORDER BY {self.RANK}, rowid DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, start])
            return [row[0] for row in cursor.fetchall()]

    def snippets(self, ids: list[int]) -> dict[int, str]:
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, '…', 24) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, self.match, *ids])
            return dict(cursor.fetchall())


class PostgresEngine:
    def __init__(self, results: SearchResults):
        self.results = results
        if results.any_word and results.words:
            words = [SearchQuery(word, config=PG_CONFIG) for word in results.words]
            self.query = functools.reduce(operator.or_, words)
        else:
            self.query = SearchQuery(" ".join(results.words), config=PG_CONFIG)

    def _ranked(self):
        # Category names are few: match them first, so the tips' side is a plain OR of the GIN
        # index and the category index (a subquery there made PostgreSQL scan every tip).
        category_ids = list(
            Category.objects.annotate(document=SearchVector("name", config=PG_CONFIG))
            .filter(document=self.query)
            .values_list("pk", flat=True)
        )
        matches = Q(document=self.query)
        if category_ids:
            matches |= Q(category_id__in=category_ids)
        matching = self.results.public_tips().annotate(document=pg_vector()).filter(matches)
        return matching.annotate(rank=SearchRank(F("document"), self.query))

    def count(self) -> int:
        return self._ranked().count()

    def ranked_ids(self, start: int, stop: int | None) -> list[int]:
        ordered = self._ranked().order_by("-rank", "-pk").values_list("pk", flat=True)
        return list(ordered[start:stop])

    def snippets(self, ids: list[int]) -> dict[int, str]:
        headline = SearchHeadline(
            Concat("question", Value(" "), "body", output_field=TextField()),
            self.query,
            config=PG_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=30,
            min_words=12,
        )
        return dict(Tip.objects.filter(pk__in=ids).annotate(h=headline).values_list("pk", "h"))


def suggest(query: str, *, limit: int = 5) -> list[Tip]:
    """Published tips that may already answer ``query``: the request form's suggestions."""
    # Any word may match: a question phrased differently still finds the tip that answers it.
    return SearchResults(query, any_word=True).tips(limit)


def related(tip: Tip, *, limit: int = 5) -> list[Tip]:
    """Up to ``limit`` published tips like this one: its category first, then similar text."""
    same_category = list(
        Tip.objects.published()
        .filter(category_id=tip.category_id)
        .exclude(pk=tip.pk)
        .for_listing()[:limit]
    )
    # Always asked, even when the category fills the list: the page's query count stays fixed.
    similar = SearchResults(f"{tip.title} {tip.question}", any_word=True).tips(limit * 2 + 1)
    seen = {tip.pk, *(t.pk for t in same_category)}
    return (same_category + [t for t in similar if t.pk not in seen])[:limit]
