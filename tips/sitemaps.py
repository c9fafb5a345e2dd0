"""Sitemap sections: every public page, with when it last changed.

Only tips are dated, so a topic, category or guru page changed when its newest public tip did. A
scheduled tip goes live at its publish time without being saved again, so that time counts as a
change as well as ``updated_at``.

Built for 100,000 tips: a page's last change is read off indexes ("the newest by publish time"
and "the newest by edit time"), never by aggregating every tip, and a section file's addresses
are written without the template engine (see :func:`section`).
"""

import datetime
import re
from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import http_date

from tipsite.pagecache import remember

from .models import Category, Guru, Tip, Topic, category_paths


def latest_change(tips: QuerySet) -> datetime.datetime | None:
    """The latest change among ``tips`` (public ones): two reads from the end of an index."""
    published = tips.order_by("-publish_at").values_list("publish_at", flat=True).first()
    edited = tips.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return max(filter(None, [published, edited]), default=None)


def last_change_of(relation: str):
    """Annotation: the latest change among the public tips whose ``relation`` is the row."""
    tips = Tip.objects.published().filter(**{relation: OuterRef("pk")})

    def newest(field: str) -> Subquery:
        return Subquery(tips.order_by(f"-{field}").values(field)[:1])

    return Greatest(newest("publish_at"), newest("updated_at"))


def with_public_tips(relation: str) -> Exists:
    """Filter: the row has at least one public tip (pages without any are left out)."""
    return Exists(Tip.objects.published().filter(**{relation: OuterRef("pk")}))


class DatedSitemap(Sitemap):
    """A section of pages dated by their public tips.

    Items come oldest first, so a new page joins the last file instead of shifting every file.
    """

    # URLs per file; longer sections continue on ?p=2 and so on. The protocol allows up to
    # 50,000; like WordPress, TipSite writes 2,000: a file renders many times faster, a worker
    # holds a twenty-fifth of the rows at a time, and a crawler downloads far less
    # (bench/results/design-notes.md has the measurements).
    limit = 2_000

    def dating_tips(self) -> QuerySet:
        """The public tips that date the section as a whole (the sitemap index shows it)."""
        return Tip.objects.published()

    def lastmod(self, item):
        return item.lastmod

    def get_latest_lastmod(self):
        return latest_change(self.dating_tips())


class HomeSitemap(DatedSitemap):
    def items(self) -> list[str]:
        return ["tips:home"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        # The home page lists the newest tips of the network.
        return self.get_latest_lastmod()


class TipSitemap(DatedSitemap):
    def items(self):
        return self.rows()

    def rows(self, *, dates_as_text: bool = False):
        """Rows of what the addresses need, not model instances; with ``dates_as_text`` the
        dates come as the database writes them, which the driver then does not convert."""
        lastmod = Greatest("updated_at", "publish_at")
        return (
            Tip.objects.published()
            .annotate(lastmod=Cast(lastmod, TextField()) if dates_as_text else lastmod)
            .order_by("pk")
            .values_list("category_id", "slug", "lastmod")
        )

    @cached_property
    def category_paths(self) -> dict[int, str]:
        return category_paths()

    def location(self, item) -> str:
        category_id, slug, _ = item
        # A tip's route is its category's route plus its slug (tips/urls.py): one reverse() per
        # category rather than per tip, which was half the time of a large file.
        return f"{self.category_paths[category_id]}{slug}/"

    def lastmod(self, item):
        return item[2]

    def page_rows(self, page: int) -> list[tuple[int, int, str, str]]:
        """One file's rows as ``get_urls`` would list them, read straight from the database:
        ``(id, category id, slug, lastmod)`` with the date as the database writes it (UTC), no
        count of every public tip, no dict per address.

        A file starts where the one before it ended: each file keeps, for the content version,
        the id the next one starts from (``pagecache.remember``), so the next file is read as a
        range of the index. A file whose start is not known yet has the database skip the
        earlier tips in a subquery that reads their ids alone (PostgreSQL would otherwise write
        the date of every tip it skips) and keeps its start for the next time.
        """
        # psycopg's conversion of 2,000 dates was a quarter of a file on PostgreSQL.
        tips = self.rows(dates_as_text=True).values_list("pk", "category_id", "slug", "lastmod")
        if page == 1:
            rows = _fetch(tips[: self.limit])
        else:
            skipped = []

            def skip_to_start() -> int | None:
                first = tips.values("pk")[(page - 1) * self.limit :][:1]
                skipped.extend(_fetch(tips.filter(pk__gte=Subquery(first))[: self.limit]))
                return skipped[0][0] if skipped else None

            start = remember(self._start_key(page), skip_to_start)
            if skipped or start is None:
                rows = skipped
            else:
                rows = _fetch(tips.filter(pk__gte=start)[: self.limit])
        if len(rows) == self.limit:
            after = rows[-1][0] + 1
            remember(self._start_key(page + 1), lambda: after)
        return rows

    def _start_key(self, page: int) -> str:
        # Where files start depends on how long they are.
        return f"sitemap:tips:{self.limit}:start:{page}"


def _fetch(rows: QuerySet) -> list[tuple]:
    """The rows as the database driver gives them, without the queryset's row handling."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _aware(text: str) -> datetime.datetime:
    """A date written by the database, made aware: SQLite writes the UTC text Django stored,
    PostgreSQL the time with its offset (UTC, the connections' time zone)."""
    value = datetime.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def local_days(zone: datetime.tzinfo):
    """A function giving the day in ``zone`` (``YYYY-MM-DD``) of a UTC time as the database
    writes it (``YYYY-MM-DD HH:MM:SS[.ffffff][+00]``): what ``timezone.localdate`` gives, for
    thousands of times at the cost of a lookup and a comparison each.

    Within a UTC day over which the zone keeps one offset, the local day changes once at most, at
    local midnight, so a time's day follows from its UTC day and whether its time of day is past
    that moment. A UTC day on which the offset changes (summer time begins or ends) has each of
    its times converted in full.
    """
    days: dict[str, tuple[str, str, str] | None] = {}

    def day(text: str) -> str:
        utc_day = text[:10]
        try:
            switch = days[utc_day]
        except KeyError:
            switch = days[utc_day] = _day_switch(utc_day, zone)
        if switch is None:
            return _aware(text).astimezone(zone).date().isoformat()
        midnight, before, after = switch
        return after if text[11:19] >= midnight else before

    return day


def _day_switch(utc_day: str, zone: datetime.tzinfo) -> tuple[str, str, str] | None:
    """When local midnight falls in the UTC day (``HH:MM:SS``), with the local days before and
    from then; None if the zone's offset changes within the day."""
    start = datetime.datetime.fromisoformat(utc_day).replace(tzinfo=datetime.UTC)
    offset = start.astimezone(zone).utcoffset()
    last = start + datetime.timedelta(days=1, microseconds=-1)
    if last.astimezone(zone).utcoffset() != offset:
        return None
    # UTC times of day from this one on are past local midnight (all of them when it is 0).
    midnight = -offset % datetime.timedelta(days=1)
    before = (start + offset).date()
    after = (start + midnight + offset).date()
    return (datetime.datetime.min + midnight).strftime("%H:%M:%S"), str(before), str(after)


class TopicSitemap(DatedSitemap):
    def items(self):
        return (
            Topic.objects.filter(with_public_tips("category__topic"))
            .annotate(lastmod=last_change_of("category__topic"))
            .order_by("pk")
        )


class CategorySitemap(DatedSitemap):
    def items(self):
        return (
            Category.objects.filter(with_public_tips("category"))
            .select_related("topic")
            .annotate(lastmod=last_change_of("category"))
            .order_by("pk")
        )


class GuruSitemap(DatedSitemap):
    def dating_tips(self):
        return Tip.objects.published().filter(guru__isnull=False)

    def items(self):
        return (
            Guru.objects.filter(with_public_tips("guru"))
            .annotate(lastmod=last_change_of("guru"))
            .order_by("pk")
        )


sitemaps = {
    "home": HomeSitemap,
    "tips": TipSitemap,
    "topics": TopicSitemap,
    "categories": CategorySitemap,
    "gurus": GuruSitemap,
}

# A sitemap index lists at most 50,000 files.
MAX_PAGE = 50_000
# What a text in XML must have escaped.
UNSAFE_IN_XML = re.compile("[&<>]")
URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)


def _url_element(location: str, lastmod, zone: datetime.tzinfo) -> str:
    if isinstance(lastmod, datetime.datetime):
        lastmod = lastmod.astimezone(zone).date()
    if lastmod:
        return f"<url><loc>{escape(location)}</loc><lastmod>{lastmod}</lastmod></url>\n"
    return f"<url><loc>{escape(location)}</loc></url>\n"


def _page_number(text) -> int:
    """The ``p`` parameter as Django's paginator reads it; Http404 as its view answers."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise Http404("That page number is not an integer") from None
    if number < 1:
        raise Http404("That page number is less than 1")
    if number > MAX_PAGE:
        # Far past any section's end, and an offset the database may refuse.
        raise Http404("That page contains no results")
    return number


@x_robots_tag
def section(request: HttpRequest, section: str) -> HttpResponse:
    """One sitemap file: Django's ``sitemap`` view, written without the template engine.

    The items, pages, addresses and dates are Django's (``Sitemap.get_urls``); only the XML is
    written here, because rendering 50,000 ``<url>`` elements through a template took three
    seconds. Dates are written as the template writes them: the day in the site's time zone.
    """
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    site = sitemaps[section]()
    domain = f"{request.scheme}://{get_current_site(request).domain}"
    zone = timezone.get_current_timezone()
    if isinstance(site, TipSitemap):
        # The long section: its rows become the XML directly, without Django's paginator and
        # per-address dicts, which were most of a file's cost.
        page = _page_number(request.GET.get("p", 1))
        rows = site.page_rows(page)
        if not rows and page > 1:
            raise Http404("That page contains no results")
        body = URLSET_START + _tip_urls(rows, domain, site.category_paths, zone) + "</urlset>\n"
        # UTC times as one database writes them sort as text.
        latest = _aware(max([row[3] for row in rows])) if rows else None
        return _sitemap_response(body, latest)
    try:
        django_urls = site.get_urls(
            page=request.GET.get("p", 1),
            site=get_current_site(request),
            protocol=request.scheme,
        )
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(str(error)) from None
    urls = "".join(_url_element(url["location"], url["lastmod"], zone) for url in django_urls)
    latest = getattr(site, "latest_lastmod", None)  # set by get_urls when all have one
    return _sitemap_response(URLSET_START + urls + "</urlset>\n", latest)


def _sitemap_response(body: str, latest: datetime.datetime | None) -> HttpResponse:
    response = HttpResponse(body, content_type="application/xml")
    if latest:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


def _tip_urls(rows, domain: str, paths: dict[int, str], zone: datetime.tzinfo) -> str:
    """The ``<url>`` elements of the tips section's rows (:meth:`TipSitemap.page_rows`).

    Each category's address is escaped once; the tips' slugs need no escaping, unless one was
    written past the model's validation.
    """
    opening = {pk: f"<url><loc>{escape(domain + path)}" for pk, path in paths.items()}
    if UNSAFE_IN_XML.search("".join(slug for _, _, slug, _ in rows)):
        rows = [(pk, category_id, escape(slug), lastmod) for pk, category_id, slug, lastmod in rows]
    day = local_days(zone)
    return "".join([
        f"{opening[category_id]}{slug}/</loc><lastmod>{day(lastmod)}</lastmod></url>\n"
        for _, category_id, slug, lastmod in rows
    ])  # fmt: skip
