"""Queries compiled once (tipsite/statements.py) ask the database what the ORM would, and
answer with what the ORM would make of the rows."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_category, make_comment, make_tip
from tips.models import Tip
from tipsite import statements
from tipsite.statements import Prepared

pytestmark = pytest.mark.django_db


def tip_page_tip(topic, category, slug, now):
    tips = Tip.objects.for_page().published(now=now)
    return tips.filter(category__topic__slug=topic, category__slug=category, slug=slug)[:1]


def comment_rows(tip_id):
    rows = Comment.objects.filter(tip_id=tip_id).public().order_by("pk")
    return rows.values_list("pk", "name", "submitted_at")


def cards(ids):
    return Tip.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "title", "publish_at")


def asked(run) -> tuple[list, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        result = run()
    return result, [query["sql"] for query in captured.captured_queries]


def address_of(tip) -> dict:
    return {"topic": tip.category.topic.slug, "category": tip.category.slug, "slug": tip.slug}


def test_the_same_sql_as_the_orms_and_the_same_objects_made_of_its_rows():
    first, second = make_tip(title="First"), make_tip(title="Second")
    prepared = Prepared(tip_page_tip)
    for tip in (first, second, first):
        now = timezone.now()
        orm, orm_sql = asked(
            lambda tip=tip, now=now: list(tip_page_tip(**address_of(tip), now=now))
        )
        got, sql = asked(lambda tip=tip, now=now: prepared(**address_of(tip), now=now))
        assert sql == orm_sql
        assert [found.pk for found in got] == [tip.pk]
        (found,) = got
        assert found.title == tip.title
        assert found.category.topic.slug == tip.category.topic.slug  # joined, no query of its own
        assert found.publish_at == orm[0].publish_at
        assert timezone.is_aware(found.publish_at)
    assert len(prepared._compiled) == 1


def test_a_moment_given_is_a_parameter_not_the_moment_compiled():
    tip = make_tip(publish_at=timezone.now() + datetime.timedelta(hours=1))
    prepared = Prepared(tip_page_tip)
    assert prepared(**address_of(tip), now=timezone.now()) == []
    later = timezone.now() + datetime.timedelta(hours=2)
    assert [found.pk for found in prepared(**address_of(tip), now=later)] == [tip.pk]


def test_plain_rows_with_their_converters_and_one_compilation_per_number_of_rows():
    tip, other = make_tip(), make_tip()
    for number in range(5):
        make_comment(tip=tip, name=f"Reader {number}", status=Comment.Status.APPROVED)
    make_comment(tip=other, name="Elsewhere", status=Comment.Status.APPROVED)
    prepared = Prepared.windowed(comment_rows)
    for start, stop in ((0, 2), (2, 4), (4, 6), (1, 4), (5, 9)):
        expected = list(comment_rows(tip.pk)[start:stop])
        assert prepared(tip_id=tip.pk, start=start, stop=stop) == expected
        assert all(timezone.is_aware(row[2]) for row in expected)
    assert [row[1] for row in prepared(tip_id=other.pk, start=0, stop=2)] == ["Elsewhere"]
    assert len(prepared._compiled) == 3  # two rows, three, four
    assert prepared(tip_id=tip.pk, start=3, stop=3) == []


def test_each_columns_converters_are_worked_out_once_per_connection(monkeypatch):
    """Django works them out for every run; a statement's columns are the same each time."""
    tips = [make_tip(title=f"Tip {number}") for number in range(3)]
    worked_out = []
    real = SQLCompiler.get_converters

    def counted(compiler, expressions):
        worked_out.append(len(expressions))
        return real(compiler, expressions)

    monkeypatch.setattr(SQLCompiler, "get_converters", counted)
    prepared = Prepared(tip_page_tip)
    for tip in (*tips, tips[0]):
        (found,) = prepared(**address_of(tip), now=timezone.now())
        assert (found.pk, found.title) == (tip.pk, tip.title)
        assert timezone.is_aware(found.publish_at)  # still converted, on every run
    compiled_once = len(worked_out)
    worked_out.clear()
    list(tip_page_tip(**address_of(tips[0]), now=timezone.now()))
    assert compiled_once == len(worked_out) == 1  # the ORM's own run works them out once too


def test_a_list_of_ids_is_a_parameter_per_id():
    tips = [make_tip() for _ in range(4)]
    prepared = Prepared(cards)
    for ids in ([tips[0].pk, tips[1].pk], [tips[2].pk, tips[3].pk], [tips[3].pk]):
        assert prepared(ids=ids) == list(cards(ids))
    assert len(prepared._compiled) == 2  # two ids, one id
    assert prepared(ids=[]) == []


def test_the_shapes_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(statements, "SHAPES", 3)
    tip = make_tip()
    make_comment(tip=tip, status=Comment.Status.APPROVED)
    prepared = Prepared.windowed(comment_rows)
    for stop in range(1, 8):
        assert len(prepared(tip_id=tip.pk, start=0, stop=stop)) == 1
    assert len(prepared._compiled) == 3


def test_a_shape_value_is_compiled_into_the_sql_once_per_value():
    tips = [make_tip(title=title) for title in ("B", "A", "C")]
    prepared = Prepared(
        lambda ids, backwards: cards(ids).order_by("-title" if backwards else "title"),
        shape=("backwards",),
    )
    ids = [tip.pk for tip in tips]
    assert [row[1] for row in prepared(ids=ids, backwards=False)] == ["A", "B", "C"]
    assert [row[1] for row in prepared(ids=ids, backwards=True)] == ["C", "B", "A"]
    assert len(prepared._compiled) == 2


def test_a_value_django_changes_on_its_way_into_the_sql_is_refused_at_the_first_call():
    prepared = Prepared(lambda word: Tip.objects.filter(title__icontains=word))  # "%word%"
    with pytest.raises(TypeError, match="word"):
        prepared(word="basil")
    with pytest.raises(TypeError, match="bool"):
        Prepared(lambda hidden: Tip.objects.filter(comments_closed=hidden))(hidden=True)


def test_a_value_the_sql_does_not_need_changes_nothing():
    """A topic without categories has no tip of the day, whatever the day."""
    tip = make_tip()
    prepared = Prepared(
        lambda ids, slug: Tip.objects.filter(pk__in=ids, slug=slug) if ids else Tip.objects.none()
    )
    assert prepared(ids=[], slug="anything") == []
    assert prepared(ids=[tip.pk], slug=tip.slug) == [tip]
    unused = Prepared(lambda topic, slug: Tip.objects.filter(slug=slug))
    assert unused(topic="cooking", slug=tip.slug) == [tip]


@pytest.mark.django_db(transaction=True)
def test_threads_each_run_it_on_their_own_connection():
    tips = [make_tip() for _ in range(6)]
    prepared = Prepared(tip_page_tip)
    prepared(**address_of(tips[0]), now=timezone.now())  # compiled on this thread's connection
    found, errors = {}, []

    def read(tip):
        try:
            (got,) = prepared(**address_of(tip), now=timezone.now())
            found[tip.pk] = got.pk
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(tip,)) for tip in tips]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert found == {tip.pk: tip.pk for tip in tips}


def test_a_crawl_compiles_each_query_of_the_tip_and_category_pages_once(
    client, settings, monkeypatch
):
    settings.TIPS_PER_PAGE = 2
    categories = [make_category() for _ in range(2)]
    tips = {category: [make_tip(category=category) for _ in range(5)] for category in categories}
    compiled = []
    real = Prepared._compile

    def counted(self, *args):
        compiled.append(self.build.__name__)
        return real(self, *args)

    monkeypatch.setattr(Prepared, "_compile", counted)
    for category in categories:
        compiled.clear()
        for page in (1, 2, 3):
            listing = client.get(category.get_absolute_url(), {"page": page})
            assert listing.status_code == 200
            shown = [tip for tip in tips[category] if tip.get_absolute_url() in listing.text]
            assert len(shown) == (1 if page == 3 else 2)
        for tip in tips[category]:
            assert tip.title in client.get(tip.get_absolute_url()).text
    assert compiled == []  # the second category's pages and tips: all compiled already
