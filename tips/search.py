"""Full-text search over published tips: one interface, two engines.

SQLite (the default) uses an FTS5 table kept in step with tips by triggers; PostgreSQL uses its
own full-text search over a GIN expression index. Both stem English ("massages" finds
"massage"), rank title above question above body, and turn any text a visitor types into a
query that cannot fail: only words survive, each quoted, so operators, quotes and stray
punctuation mean nothing.
"""

import functools
import hashlib
import operator
import re
from functools import cached_property

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tipsite.pagecache import remember

from . import reads
from .models import Category, Tip, Topic
from .paging import in_order

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
FTS_TABLE = "tips_tip_fts"
PG_CONFIG = "english"
PG_COLUMN = "search_document"
PG_INDEX = "tip_search_document_idx"
# Which words are in a tip's title or question, indexed on their own: the weighted document's
# GIN index holds no weights, so asking it for title words rechecks every match's document.
PG_TITLE_INDEX = "tip_title_document_idx"
PG_TITLE_DOCUMENT = f"to_tsvector('{PG_CONFIG}'::regconfig, title || ' ' || question)"
# The best matches of a query kept in the cache: its first ten pages of results.
KEPT_HITS = 100
# How many matches of a query are ranked (the newest; of those with a word in a title or
# question, more); the rest follow them, newest first. Ranking scores every candidate: 5,000
# and 1,000 took ~40 ms of a distinct search on SQLite, these ~20 (bench, 100,000 tips).
RANKED_CANDIDATES = 300
TITLE_CANDIDATES = 1_000
# How many matches a search counts at most. Past it the page says "more than" and its pages
# end there (a hundred pages of ten): counting every match of a word most tips hold read every
# one of their rows (90 ms on PostgreSQL for 88,000), for a number nobody pages through.
COUNTED_MATCHES = 1_000
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


# Both documents name their columns unqualified: in a subquery the table has an alias, and
# "tips_tip.search_document" there would be the outer query's row (a correlated subquery).


def pg_document():
    """The same document as stored for each tip (tips/search_index.py keeps it up to date)."""
    return RawSQL(PG_COLUMN, [], output_field=SearchVectorField())  # noqa: S611 - constants only


def pg_title_document():
    """A tip's title and question as one document, as its own GIN index holds it."""
    return RawSQL(PG_TITLE_DOCUMENT, [], output_field=SearchVectorField())  # noqa: S611 - constants only


def highlight(text: str) -> SafeString:
    escaped = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - escaped above; only our <mark> tags are added


class Hit:
    """One search result: the tip and a highlighted snippet of where it matched."""

    def __init__(self, tip: Tip, snippet: SafeString):
        self.tip = tip
        self.snippet = snippet


class SearchResults:
    """Ranked published tips for a query; sliceable and countable, so it pages like a queryset.

    How many tips match and the ids of the best :data:`KEPT_HITS` are kept in the cache until
    the content changes: ranking a word most tips contain reads every one of them.
    """

    def __init__(
        self,
        query: str,
        *,
        topic: Topic | None = None,
        any_word: bool = False,
        titles_only: bool = False,
    ):
        self.words = query_words(query)
        self.topic = topic
        # Every word must match (searching), or any of them (finding similar tips).
        self.any_word = any_word
        # Match in titles and questions only, not in bodies or category names.
        self.titles_only = titles_only
        self.engine = (
            PostgresEngine(self) if connection.vendor == "postgresql" else SqliteEngine(self)
        )

    def count(self) -> int:
        """How many tips match, up to :data:`COUNTED_MATCHES`."""
        return min(self._best[0], COUNTED_MATCHES)

    @property
    def more_than_counted(self) -> bool:
        """Whether more tips match than are counted (and reachable page by page)."""
        return self._best[0] > COUNTED_MATCHES

    @cached_property
    def _best(self) -> tuple[int, list[int]]:
        """How many tips match, and the ids of the best ones."""
        if not self.words:
            return 0, []
        topic = self.topic.pk if self.topic else None
        question = [connection.vendor, self.any_word, self.titles_only, topic, self.words]
        name = "search:" + hashlib.sha256(repr(question).encode()).hexdigest()
        return remember(name, lambda: (self.engine.count(), self.engine.ranked_ids(0, KEPT_HITS)))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Hit]:
        if not self.words or not isinstance(window, slice):
            return []
        ids = self._ids(window.start or 0, window.stop)
        tips = _found(ids)
        snippets = self.engine.snippets(ids) if ids else {}
        return [Hit(tip, highlight(snippets.get(tip.pk, tip.question))) for tip in tips]

    def _ids(self, start: int, stop: int | None) -> list[int]:
        if stop is not None and stop <= KEPT_HITS:
            return self._best[1][start:stop]
        return self.engine.ranked_ids(start, stop)

    def tips(self, limit: int) -> list[Tip]:
        """Just the best ``limit`` tips, without counting or snippets."""
        if not self.words:
            return []
        return _found(self.engine.ranked_ids(0, limit))

    def public_tips(self):
        return self.in_topic(Tip.objects.published())

    def in_topic(self, tips):
        """``tips`` narrowed to the topic, if one is chosen."""
        return tips if self.topic is None else tips.in_topic(self.topic)


def _found(ids: list[int]) -> list[Tip]:
    """The tips of ``ids``, in that order."""
    return in_order(ids, lambda wanted: {tip.pk: tip for tip in reads.found_tips(ids=wanted)})


class SqliteEngine:
    # bm25 weights per FTS column: title, question, body, category.
    RANK = f"bm25({FTS_TABLE}, 10.0, 5.0, 1.0, 2.0)"

    def __init__(self, results: SearchResults):
        self.results = results
        joiner = " OR " if results.any_word else " "
        self.match = joiner.join('"' + word.replace('"', "") + '"' for word in results.words)
        if results.titles_only:
            self.match = "{title question} : (" + self.match + ")"

    @cached_property
    def _where(self) -> tuple[str, list]:
        """The MATCH, with the hidden tips taken out and the topic's kept.

        Drafts and scheduled tips are few and found straight from an index, so they are left
        out rather than the public ones kept: listing 100,000 public tips for every search cost
        six times what counting a common word does. The unary + keeps SQLite from handing the
        rowid tests to FTS5, which would rerun the MATCH once per tip.
        """
        clauses, params = [f"{FTS_TABLE} MATCH %s"], [self.match]
        hidden = Tip.objects.unpublished().order_by().values("pk").query.sql_with_params()
        clauses.append(f"+{FTS_TABLE}.rowid NOT IN ({hidden[0]})")
        params += hidden[1]
        if self.results.topic is not None:
            in_topic = self.results.in_topic(Tip.objects.all()).values("pk")
            sql, topic_params = in_topic.query.sql_with_params()
            clauses.append(f"+{FTS_TABLE}.rowid IN ({sql})")
            params += topic_params
        return " AND ".join(clauses), params

    def count(self) -> int:
        """How many tips match, up to one more than :data:`COUNTED_MATCHES`."""
        where, params = self._where
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {where} LIMIT %s)"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, COUNTED_MATCHES + 1])
            self.counted = cursor.fetchone()[0]
            return self.counted

    def _candidates(self) -> tuple[str, list]:
        """The matches worth ranking: the newest :data:`TITLE_CANDIDATES` of those matching
        in a title or question (where the best matches are), and the newest
        :data:`RANKED_CANDIDATES` of all matches.

        Ranking scores each row it orders, and a word most tips contain has tens of thousands;
        walking the matches newest first costs little next to that.
        """
        where, params = self._where

        def newest(limit: int) -> str:
            return (
                f"SELECT rowid FROM (SELECT rowid FROM {FTS_TABLE} WHERE {where} "  # noqa: S608
                f"ORDER BY rowid DESC LIMIT {limit})"
            )

        if self.results.titles_only:
            return newest(RANKED_CANDIDATES), params
        # Any of the words in a title: the whole query still has to match (the outer MATCH).
        any_word = " OR ".join('"' + word.replace('"', "") + '"' for word in self.results.words)
        in_titles = ["{title question} : (" + any_word + ")", *params[1:]]
        # Matches in titles are fewer and hold the best: more of them are ranked.
        candidates = f"{newest(TITLE_CANDIDATES)} UNION {newest(RANKED_CANDIDATES)}"
        return candidates, [*in_titles, *params]

    def ranked_ids(self, start: int, stop: int | None) -> list[int]:
        where, params = self._where
        limit = -1 if stop is None else stop - start
        found, candidate_params = "", []
        if getattr(self, "counted", None) is not None and self.counted <= RANKED_CANDIDATES:
            # Every match would be a candidate: rank them all, without finding the candidates.
            order = f"{self.RANK}, rowid DESC"
        else:
            # The candidates are found once (a table expression used twice is kept).
            candidates, candidate_params = self._candidates()
            found = f"WITH candidates AS ({candidates}) "
            chosen = f"+{FTS_TABLE}.rowid IN candidates"
            if stop is not None and stop <= RANKED_CANDIDATES:
                # The first places are all candidates' (there are that many whenever as many
                # tips match), so the other matches need not even be ordered, nor those older
                # than the oldest candidate read: FTS5 starts its walk of the matches there (a
                # range of rowids it is given), instead of testing every match against the
                # candidates.
                oldest = f"{FTS_TABLE}.rowid >= (SELECT min(rowid) FROM candidates)"  # noqa: S608
                where = f"{where} AND {oldest} AND {chosen}"
                order = f"{self.RANK}, rowid DESC"
            else:
                # Further on, the same order: the candidates by rank, then the rest newest
                # first (CASE scores only the candidates).
                order = f"CASE WHEN {chosen} THEN {self.RANK} ELSE 1e308 END, rowid DESC"
        sql = (
            f"{found}SELECT rowid FROM {FTS_TABLE} WHERE {where} "  # noqa: S608
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*candidate_params, *params, limit, start])
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
        words = [SearchQuery(word, config=PG_CONFIG) for word in results.words]
        # Any of the words: what the title and question index is asked for.
        self.any_word = functools.reduce(operator.or_, words) if words else None
        if results.titles_only and results.words:
            # Words are \w+ only, so "word:AB" (title or question) is always valid syntax.
            raw = " | ".join(f"{word}:AB" for word in results.words)
            self.query = SearchQuery(raw, config=PG_CONFIG, search_type="raw")
        elif results.any_word:
            self.query = self.any_word
        else:
            self.query = SearchQuery(" ".join(results.words), config=PG_CONFIG)
        self.counted: int | None = None

    @cached_property
    def _category_ids(self) -> list[int]:
        if self.results.titles_only:
            return []
        return list(
            Category.objects.annotate(document=SearchVector("name", config=PG_CONFIG))
            .filter(document=self.query)
            .values_list("pk", flat=True)
        )

    def _matching(self):
        """The public tips that match, with their documents (tips/search_index.py)."""
        tips = self.results.public_tips().annotate(
            document=pg_document(), titles=pg_title_document()
        )
        if self.results.titles_only:
            # The title and question index answers this alone: the weighted document's index
            # holds no weights, so "word:AB" rechecked the document of every tip with the word.
            return tips.filter(titles=self.any_word)
        # Category names are few: match them first, so the tips' side is a plain OR of the GIN
        # index and the category index (a subquery there made PostgreSQL scan every tip).
        matches = Q(document=self.query)
        if self._category_ids:
            matches |= Q(category_id__in=self._category_ids)
        return tips.filter(matches)

    def count(self) -> int:
        """How many tips match, up to one more than :data:`COUNTED_MATCHES`."""
        # In no order: ordered (the tips' newest first), PostgreSQL walked the public tips'
        # index testing each document instead of reading the matches off the GIN index.
        matching = self._matching().order_by().values("pk")
        self.counted = matching[: COUNTED_MATCHES + 1].count()
        return self.counted

    def _candidates(self):
        """The ids of the matches worth ranking: the newest :data:`TITLE_CANDIDATES` of those
        with any of the words in a title or question (where the best matches are), and the
        newest :data:`RANKED_CANDIDATES` of all matches.

        Ranking reads and scores the document of each row it orders, and a word most tips
        contain has tens of thousands.
        """
        newest = self._matching().order_by(self._newest_first()).values("pk")[:RANKED_CANDIDATES]
        if self.results.titles_only:
            return newest
        in_titles = (
            self._matching()
            .filter(titles=self.any_word)
            .order_by("-pk")
            .values("pk")[:TITLE_CANDIDATES]
        )
        return newest.union(in_titles)

    def _newest_first(self):
        """Newest first, in the way that reads fewer rows.

        Walking the primary key backwards tests tip after tip until enough match: few rows for
        a word most tips hold, most of the table for a rarer one, whose matches are better all
        found from the GIN index and only their ids sorted ("id + 0" is not the key's order, so
        the key is not walked). The walk reads about RANKED_CANDIDATES × tips / matches rows,
        the index every match: they cost about the same where matches² = RANKED_CANDIDATES ×
        tips. Without a count (a few best tips asked for) the planner chooses, and so it does
        past :data:`COUNTED_MATCHES`, where the walk reads at most a tenth of that many rows.
        """
        if self.counted is None or self.counted > COUNTED_MATCHES:
            return F("pk").desc()
        if self.counted * self.counted > RANKED_CANDIDATES * self._tips:
            return F("pk").desc()
        return (F("pk") + 0).desc()

    @cached_property
    def _tips(self) -> int:
        """About how many tips there are: the planner's own estimate, from the catalogue."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Tip._meta.db_table]
            )
            return max(int(cursor.fetchone()[0]), 0)

    def ranked_ids(self, start: int, stop: int | None) -> list[int]:
        rank = SearchRank(F("document"), self.query)
        if self.counted is not None and self.counted <= RANKED_CANDIDATES:
            # Every match would be a candidate: rank them all, without finding the candidates.
            ranked = self._matching().annotate(rank=rank)
        elif stop is not None and stop <= RANKED_CANDIDATES:
            # The first places are all candidates' (there are that many whenever as many tips
            # match), so the other matches need not even be read.
            ranked = Tip.objects.filter(pk__in=self._candidates())
            ranked = ranked.annotate(document=pg_document(), rank=rank)
        else:
            # Further on, the same order: the candidates by rank, then the rest newest first
            # (ranks are never negative; only the candidates are scored).
            candidate = When(pk__in=self._candidates(), then=rank)
            ranked = self._matching().annotate(
                rank=Case(candidate, default=Value(-1.0), output_field=FloatField())
            )
        ordered = ranked.order_by("-rank", "-pk").values_list("pk", flat=True)
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
    """Up to ``limit`` published tips like this one: its category first, then similar text.

    Similar means sharing words with this tip's title and question, in their titles and
    questions. That search reads every tip holding one of those words, so it runs only when the
    category cannot fill the list by itself (two queries more on such a tip's page).
    """
    # The newest of the category are the same for each of its tips, less the tip itself: read
    # once per content version for all of them.
    newest = remember(
        f"tips:related:{tip.category_id}:{limit}",
        lambda: reads.newest_in_category(
            category_id=tip.category_id, now=timezone.now(), start=0, stop=limit + 1
        ),
    )
    same_category = [other for other in newest if other.pk != tip.pk][:limit]
    if len(same_category) == limit:
        return same_category
    text = f"{tip.title} {tip.question}"
    similar = SearchResults(text, any_word=True, titles_only=True).tips(limit * 2 + 1)
    seen = {tip.pk, *(t.pk for t in same_category)}
    return (same_category + [t for t in similar if t.pk not in seen])[:limit]
