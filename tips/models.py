import datetime
import random

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Case, F, FloatField, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from reversion import register as keep_versions

from tipsite.statements import Prepared

from .addresses import slug_path, slug_paths
from .images import MEDIUM_WIDTH, SMALL_WIDTH
from .markup import IMAGE_SCHEME, BodyImage, render_markdown
from .validators import (
    validate_category_slug,
    validate_colour,
    validate_not_reserved,
    validate_web_link,
)

# Below this many votes a tip's share of "Yes" says little: 1 of 1 is not "100% helpful".
HELPFUL_MIN_VOTES = 5

# A public tip is due a fresh look this long after it was last reviewed (or published).
REVIEW_AFTER = datetime.timedelta(days=365)


# How many ids in a row :func:`pick_by_id_for_day` reads, then reads again, before asking an
# index instead (the newest ids, tips published today or not yet, may be no candidates at all),
# per database. SQLite's planner would sort every candidate of a topic by id to take the first;
# PostgreSQL's walks the key by itself, and planning the walks cost it more than they save.
PICK_WALKS = {"sqlite": (256, 4096)}


def pick_for_day(queryset: models.QuerySet, day: datetime.date):
    """One row of ``queryset`` chosen by the date: stable all day, and the next one in id order
    the day after, so that each takes its turn.

    One query: the database counts the rows and skips to the day's place among their ids.
    Where there are many rows, keep the answer (the guru spotlight does, per day).
    """
    scope, params = queryset.order_by().values("pk").query.sql_with_params()
    # Only the ORM's own SQL: every value goes as a parameter. No rows: no place (x % NULL).
    place = (
        f"SELECT c.pk FROM ({scope}) c ORDER BY c.pk LIMIT 1"  # noqa: S608
        f" OFFSET COALESCE(%s %% NULLIF((SELECT COUNT(*) FROM ({scope}) n), 0), 0)"
    )
    return queryset.filter(pk=RawSQL(place, (*params, day.toordinal(), *params))).first()  # noqa: S611


def draw_for_day(day: datetime.date) -> int:
    """The number :func:`pick_by_id_for_day` draws for ``day``: the same all day."""
    return random.Random(day.toordinal()).randrange(2**48)  # noqa: S311 - not a secret


def pick_by_id_for_day(candidates: models.QuerySet, draw: int) -> RawSQL:
    """The id of one of ``candidates`` chosen by the date, without counting them, as SQL to
    filter by (NULL where there are none). ``draw`` is the day's (:func:`draw_for_day`): a
    statement compiled once takes it as a value.

    A number drawn from the day between the lowest and the highest candidate id, and the first
    candidate at or after it: stable all day while the candidates are, different another day.
    Where ids between candidates are few (the usual case) a candidate is as likely as another.
    The database finds both ends and the pick within the query that reads the row.

    On SQLite each of the three reads the next ``PICK_WALKS`` ids of the whole table by primary
    key and keeps the first that is a candidate, so the planner walks the key instead of sorting
    every candidate by id; only when none of those is one does it look further, through the
    candidates' indexes. The candidates' query is built once (building it is most of the cost)
    and the database flattens it into each place it is used.
    """
    connection = connections[candidates.db]
    quote = connection.ops.quote_name
    table, key = quote(candidates.model._meta.db_table), quote(candidates.model._meta.pk.column)
    try:
        scope, scope_params = candidates.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # nothing can be a candidate (a topic without categories)
        return RawSQL("NULL", ())

    def first(after: str, direction: str) -> tuple[str, tuple]:
        # Only quoted names, the ORM's own SQL and constants: every value goes as a parameter.
        candidate = f"SELECT c.pk FROM ({scope}) c WHERE c.pk {after}"  # noqa: S608
        walks = [
            f"({candidate} AND c.pk IN (SELECT {key} FROM {table} WHERE {key} {after}"  # noqa: S608
            f" ORDER BY {key} {direction} LIMIT {size}) ORDER BY c.pk {direction} LIMIT 1)"
            for size in PICK_WALKS.get(connection.vendor, ())
        ]
        walks.append(f"({candidate} ORDER BY c.pk {direction} LIMIT 1)")
        # COALESCE reads each only when those before it found nothing (SQLite, PostgreSQL).
        sql = f"COALESCE({', '.join(walks)})" if len(walks) > 1 else walks[0]
        return sql, scope_params * len(walks)

    lowest, lowest_params = first("IS NOT NULL", "ASC")
    highest, highest_params = first("IS NOT NULL", "DESC")
    # A subquery that names no outer column, so each database reads the draw once: a walk that
    # named one would be read again for every candidate SQLite looks at.
    pick, pick_params = first(">= (SELECT start FROM drawn)", "ASC")
    drawn = (
        f"SELECT lowest + (%s %% (highest - lowest + 1)) AS start"  # noqa: S608
        f" FROM (SELECT {lowest} AS lowest, {highest} AS highest) ends"
    )
    return RawSQL(  # noqa: S611
        f"WITH drawn AS ({drawn}) SELECT {pick}",
        (draw, *lowest_params, *highest_params, *pick_params),
    )


class Vote(models.Model):
    """A reader's answer to "Was this tip helpful?"; one per visitor per tip, changeable."""

    tip = models.ForeignKey("Tip", on_delete=models.CASCADE, related_name="votes")
    # A hash of the visitor's random cookie: enough to recognise them, nothing more.
    visitor = models.CharField(max_length=64, editable=False)
    helpful = models.BooleanField()
    reason = models.CharField("what was missing", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tip", "visitor"], name="one_vote_per_visitor")
        ]

    def __str__(self) -> str:
        return f"{'Yes' if self.helpful else 'No'} on {self.tip}"


class SearchMiss(models.Model):
    """A search that found nothing: what readers looked for and this site lacks."""

    query = models.CharField(max_length=200, unique=True, help_text="Normalised search words.")
    count = models.PositiveIntegerField(default=1)
    last_searched_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-count", "-last_searched_at"]
        verbose_name = "search without results"
        verbose_name_plural = "searches without results"

    def __str__(self) -> str:
        return self.query


class GuruQuerySet(models.QuerySet):
    def spotlight(self, day: datetime.date | None = None) -> "Guru | None":
        return pick_for_day(self, day or timezone.localdate())


class Guru(models.Model):
    """An expert who writes tips and may be spotlighted on a topic."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    bio = models.TextField(blank=True)
    credentials = models.CharField(
        max_length=150,
        blank=True,
        help_text="Shown after the name in every byline, e.g. “Licensed massage therapist, "
        "15 years in practice”.",
    )
    website = models.URLField(blank=True)
    photo = models.ImageField(
        upload_to="gurus/",
        blank=True,
        help_text="Any JPEG, PNG, GIF or WebP portrait; it is cropped square and resized.",
    )
    thumbnail = models.ImageField(upload_to="gurus/", blank=True, editable=False)
    topics = models.ManyToManyField("Topic", blank=True, related_name="gurus")
    # The guru's own login: in the Gurus group, it writes this guru's tips and nobody else's.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guru",
        verbose_name="login",
        help_text="A staff account in the Gurus group: it may write this guru's tips and submit "
        "them for review.",
    )

    objects = GuruQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "gurus"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_path("tips:guru", slug=self.slug)

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class Topic(models.Model):
    """One tip site of the network, such as "Massage Therapy"."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_not_reserved])
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    notice = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown on every tip of this topic, e.g. “General information, not medical "
        "advice.”",
    )
    colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[validate_colour],
        help_text="Background of the pictures link previews show, such as #2f5d62. Empty: the "
        "site's own colour.",
    )
    featured_guru = models.ForeignKey(
        Guru,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="featured_on",
        help_text="Shown in this topic's Guru Spotlight. Leave empty to rotate daily among "
        "the topic's gurus.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_path("tips:topic", slug=self.slug)

    def spotlight_guru(self, day: datetime.date | None = None) -> Guru | None:
        """The editors' pick, or else one of the topic's gurus, changing once a day."""
        if self.featured_guru_id:
            return self.featured_guru
        return self.gurus.spotlight(day)


class CategoryQuerySet(models.QuerySet):
    def with_tip_counts(self, now: datetime.datetime | None = None) -> "CategoryQuerySet":
        """Each with ``tip_count``, how many public tips it has (by ``now``): the count kept
        with it less its scheduled tips, the few still to go live, found through the tips'
        index on category, status and publish time."""
        scheduled = Tip.objects.scheduled(now=now).filter(category=OuterRef("pk")).order_by()
        return self.annotate(
            tip_count=F("published_tip_count")
            - Subquery(scheduled.values(count=Func("pk", function="COUNT")))
        )


class Category(models.Model):
    """A section of a topic, such as "Massage Therapy Techniques"."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    # Unique across the network: request forms preselect a category by slug alone.
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_category_slug])
    description = models.TextField(blank=True)
    # Kept by services (categories_recount) so pages never count tips: those with the published
    # status, scheduled ones included, as a scheduled tip goes live with no write to count it.
    # Readers' counts take the few scheduled ones off (``with_tip_counts``, tips/views.py).
    published_tip_count = models.PositiveIntegerField(default=0, editable=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["topic__name", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.topic.name} › {self.name}"

    def get_absolute_url(self) -> str:
        return slug_path("tips:category", topic=self.topic.slug, slug=self.slug)


def category_paths() -> dict[int, str]:
    """Every category's address by id, for pages that link many tips (``{path}{tip slug}/``)."""
    path = slug_paths("tips:category", "topic", "slug")
    return {
        pk: path(topic=topic, slug=slug)
        # In no order: sorting by the topics' and categories' names was a third of the query.
        for pk, slug, topic in Category.objects.order_by().values_list("pk", "slug", "topic__slug")
    }


def previews_own_tips(user) -> bool:
    """Whether ``user`` (a guru) may open their own tips that readers cannot see yet."""
    return user.is_authenticated and user.has_perm("tips.view_tip")


def sees_only_public_tips(user) -> bool:
    """Whether ``user`` may open only what :meth:`TipQuerySet.published` allows: every reader."""
    return not user.has_perm("tips.publish_tip") and not previews_own_tips(user)


def today(day: datetime.date | None = None) -> dict:
    """What the tip of the day is picked by: the moment, the day's midnight and its draw."""
    day = day or timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return {"now": timezone.now(), "midnight": midnight, "draw": draw_for_day(day)}


class TipQuerySet(models.QuerySet):
    def published(self, now: datetime.datetime | None = None) -> "TipQuerySet":
        """What readers may see: published, with a publish time that has come (by ``now``).

        This is the only definition of "public"; a tip scheduled for later goes live by itself
        the moment its publish time passes, with no job to run.
        """
        now = timezone.now() if now is None else now
        return self.filter(status=Tip.Status.PUBLISHED, publish_at__lte=now)

    def scheduled(self, now: datetime.datetime | None = None) -> "TipQuerySet":
        """Approved for publishing at a time still to come (after ``now``)."""
        now = timezone.now() if now is None else now
        return self.filter(status=Tip.Status.PUBLISHED, publish_at__gt=now)

    def in_review(self) -> "TipQuerySet":
        """The editors' review queue: oldest submission first."""
        return self.filter(status=Tip.Status.IN_REVIEW).order_by("submitted_at", "pk")

    def due_review(self, today: datetime.date | None = None) -> "TipQuerySet":
        """Public tips last looked at over ``REVIEW_AFTER`` ago: reviewed then, or never
        reviewed and published then (a tip published last week is not due)."""
        cutoff = (today or timezone.localdate()) - REVIEW_AFTER
        published_before = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
        return self.published().filter(
            Q(last_reviewed__lt=cutoff) | Q(last_reviewed=None, publish_at__lt=published_before)
        )

    def visible_to(self, user) -> "TipQuerySet":
        """What ``user`` may open on the site: editors preview every draft and scheduled tip,
        a guru their own tips as well, everyone else what :meth:`published` allows."""
        if user.has_perm("tips.publish_tip"):
            return self
        if previews_own_tips(user):
            return self.published() | self.filter(guru__user=user)
        return self.published()

    def unpublished(self) -> "TipQuerySet":
        """Exactly the tips :meth:`published` leaves out: drafts, and tips scheduled for later.

        A union of two index ranges (the database allows only the known statuses), so the few
        hidden tips are found without reading the many public ones. Written as one OR, SQLite's
        planner scanned the whole status index instead (18 ms on 100,000 tips, for 1,200).
        """
        hidden = [status for status in Tip.Status.values if status != Tip.Status.PUBLISHED]
        scheduled = self.scheduled().order_by()
        return self.filter(status__in=hidden).order_by().union(scheduled, all=True)

    def in_topic(self, topic: "Topic", categories=None) -> "TipQuerySet":
        """The tips of ``topic``'s categories. Not a join to the categories: through the index
        on category, SQLite reads the topic's tips instead of every tip of the network.

        A caller that has read the categories already passes them: their ids, written out,
        spare each query the subquery (PostgreSQL plans the tip of the day in half the time).
        """
        return self.filter(
            category__in=topic.categories.all() if categories is None else categories
        )

    def tip_of_the_day_id(self, day: datetime.date | None = None, **drawn) -> RawSQL:
        """SQL for the id of the tip of the day among these, NULL where there is none: read in
        the query that reads the tip (pages read it as a card, tips/cards.py).

        A published tip that stays the same all day and changes at the site's midnight. Only
        tips already public when the day began take part, so publishing during the day does not
        change today's pick. ``drawn`` (:func:`today`'s values) stands for the day in a
        statement compiled once (tipsite.statements).
        """
        drawn = drawn or today(day)
        candidates = self.published(now=drawn["now"]).filter(publish_at__lt=drawn["midnight"])
        return pick_by_id_for_day(candidates, drawn["draw"])

    def for_page(self) -> "TipQuerySet":
        """For the tip page: the tip with its category, topic, featured guru and guru (its
        sources: :meth:`Tip.source_links`)."""
        return self.select_related("category__topic__featured_guru", "guru")

    def for_posting(self) -> "TipQuerySet":
        """For taking a comment or a vote: the tip's address, its title and whether it is open.

        Not the page's tip, a join of five tables with the body and the gurus' biographies,
        which took half the time of a comment post's queries; a refused post, shown the page
        again, reads that with ``for_page``.
        """
        return self.select_related("category__topic").only(
            "title", "slug", "status", "publish_at", "comments_closed",
            "category__slug", "category__topic__slug",
        )  # fmt: skip

    def rated(self) -> "TipQuerySet":
        """Tips with enough votes (``HELPFUL_MIN_VOTES``) for their share of "Yes" to mean much."""
        return self.alias(helpful_votes=F("helpful_yes") + F("helpful_no")).filter(
            helpful_votes__gte=HELPFUL_MIN_VOTES
        )

    def found_helpful(self) -> "TipQuerySet":
        """Rated tips most readers found helpful, the most helpful first: a topic's "most
        helpful". Read from the index of rated tips (``tip_category_rated_idx``)."""
        return self.rated().filter(helpful_yes__gt=F("helpful_no")).most_helpful_first()

    def most_helpful_first(self) -> "TipQuerySet":
        """Rated tips by their share of "Yes" (more "Yes" first among equal shares), then the
        others by their "Yes" votes; newest first where all that is equal."""
        rated = Q(helpful_votes__gte=HELPFUL_MIN_VOTES)
        share = Cast("helpful_yes", FloatField()) / Cast("helpful_votes", FloatField())
        # One sort key for both: a share is 0 to 1, the unrated come after every one of them.
        return (
            self.alias(helpful_votes=F("helpful_yes") + F("helpful_no"))
            .alias(share=Case(When(rated, then=share), default=Value(-1.0)))
            .order_by("-share", "-helpful_yes", "-publish_at", "-pk")
        )

    def for_listing(self) -> "TipQuerySet":
        """For lists of tips: what a tip card shows, newest first, without the bodies."""
        return (
            self.select_related("category__topic", "guru")
            .defer("body", "body_html")
            .order_by("-publish_at", "-pk")
        )


class TipStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class HelpfulVotes:
    """What readers' "Was this tip helpful?" votes say, for a tip or a card of one
    (``helpful_yes`` and ``helpful_no``)."""

    __slots__ = ()

    @property
    def helpful_votes(self) -> int:
        return self.helpful_yes + self.helpful_no

    @property
    def helpful_share(self) -> int | None:
        """Percentage of readers who found the tip helpful, or None before anyone voted."""
        votes = self.helpful_votes
        return round(100 * self.helpful_yes / votes) if votes else None

    @property
    def is_rated(self) -> bool:
        """Enough readers voted for :attr:`helpful_share` to mean something and be shown."""
        return self.helpful_votes >= HELPFUL_MIN_VOTES


# Every save of a tip in a revision (the admin, services) keeps a version, with its images and
# sources. Not
# kept: the rendered body (made again on save) and the counters, which follow comments and votes,
# not editors (a restore keeps today's: tips/admin.py).
@keep_versions(
    follow=["images", "sources"],
    exclude=["body_html", "comment_count", "helpful_yes", "helpful_no", "edited_at"],
)
class Tip(HelpfulVotes, models.Model):
    Status = TipStatus

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tips")
    guru = models.ForeignKey(
        Guru, null=True, blank=True, on_delete=models.SET_NULL, related_name="tips"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    question = models.CharField(max_length=300)
    body = models.TextField(
        help_text="Markdown: # headings, **bold**, lists, > quotes, tables, [links](https://…) "
        "and this tip's images as ![description](image:12). Anything the page cannot show is "
        "refused with the line it is on."
    )
    body_html = models.TextField(editable=False, blank=True)
    image = models.ImageField(upload_to="tips/", blank=True)
    image_alt = models.CharField(
        "image description",
        max_length=200,
        blank=True,
        help_text="What the image shows, for readers who cannot see it.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        default=timezone.now,
        help_text="A time in the future schedules the tip: it goes live by itself then.",
    )
    last_reviewed = models.DateField(null=True, blank=True)
    # The review between a guru and the editors, written only by services (tip_submit_for_review).
    submitted_at = models.DateTimeField("submitted for review", null=True, editable=False)
    review_note = models.TextField("editor's note", blank=True, editable=False)
    comments_closed = models.BooleanField(
        default=False, help_text="Stop accepting new comments on this tip."
    )
    # Kept by services (tips_recount) so pages never count rows.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    helpful_yes = models.PositiveIntegerField(default=0, editable=False)
    helpful_no = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What readers read, not every save: ``updated_at`` moves with status, review dates and the
    # comments switch too, none of which makes the text newer for a search engine.
    edited_at = models.DateTimeField(
        "last edited",
        null=True,
        blank=True,
        editable=False,
        help_text="When the title, question, body, image or sources last changed.",
    )

    # The fields whose change is an edit of what readers read (sources count too: TipAdmin).
    CONTENT_FIELDS = ("title", "question", "body", "image", "image_alt")

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        # Editors hold it; gurus, who may add and change their own tips, do not.
        permissions = [("publish_tip", "Can review, publish and manage every tip")]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "slug"], name="tip_slug_unique_in_category"
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="tip_image_has_description"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TipStatus.values), name="tip_status_known"
            ),
        ]
        # Listings filter on what is public and sort newest first, ties by id: each index ends
        # in (publish_at, id), so a page is read straight off the index, page 500 included.
        indexes = [
            models.Index(fields=["status", "publish_at", "id"], name="tip_public_idx"),
            # The votes too: a topic's "most helpful" looks at every tip of its categories, and
            # reads the rows of only those that pass (45 ms down to 6 for 14,000 tips on SQLite).
            models.Index(
                fields=["category", "status", "publish_at", "id", "helpful_yes", "helpful_no"],
                name="tip_category_public_idx",
            ),
            # Only the tips enough readers voted on (``rated``), for a topic's "most helpful": it
            # reads those instead of every tip of the topic. A planner takes it only for queries
            # that say the same as its condition, which is ``rated``'s: change them together.
            models.Index(
                fields=["category", "status", "publish_at", "id", "helpful_yes", "helpful_no"],
                condition=Q(
                    GreaterThanOrEqual(F("helpful_yes") + F("helpful_no"), HELPFUL_MIN_VOTES)
                ),
                name="tip_category_rated_idx",
            ),
            models.Index(fields=["guru", "status", "publish_at", "id"], name="tip_guru_public_idx"),
            # The latest edit of any public tip, or of any with a guru (the sitemaps' dates), read
            # from the index's end: holding what the query tests, SQLite's planner prefers it to
            # sorting every public tip.
            models.Index(
                fields=["status", "updated_at", "publish_at", "guru"],
                name="tip_public_updated_idx",
            ),
            # The tips sitemap, in id order: every column its rows read, so a file deep in the
            # section skips the tips before it in this narrow index, not in the table's rows
            # with their bodies.
            models.Index(
                fields=["id", "status", "publish_at", "updated_at", "category", "slug"],
                name="tip_sitemap_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body, self.body_images())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            update_fields = kwargs["update_fields"] = {*update_fields, "body_html"}
        if self._state.adding:
            self.edited_at = self.edited_at or timezone.now()  # seed_demo dates its own
        elif self._content_edited(update_fields):
            self.edited_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "edited_at"}
        super().save(*args, **kwargs)
        # What the database now holds: fields left out of update_fields keep their loaded value.
        saved = kwargs.get("update_fields")
        self._loaded_content = getattr(self, "_loaded_content", {}) | {
            name: value for name, value in self._content().items() if saved is None or name in saved
        }

    def get_absolute_url(self) -> str:
        category = self.category
        return slug_path(
            "tips:tip", topic=category.topic.slug, category=category.slug, slug=self.slug
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        tip = super().from_db(db, field_names, values)
        tip._loaded_content = tip._content()
        return tip

    def source_links(self) -> list[tuple[str, str]]:
        """The sources the page lists, as (title, address), in their order: plain rows read by
        the tip's key (a prefetch through ``sources`` cost four times as much CPU)."""
        return _source_links(tip_id=self.pk)

    def body_images(self) -> dict[str, BodyImage]:
        """The pictures the body may show, by each address it may use for them."""
        if self.pk is None:
            return {}
        return {
            address: picture
            for image in self.images.all()
            for picture in [image.body_image()]
            for address in image.addresses()
        }

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    def _content(self) -> dict[str, str]:
        # Only what is loaded: a deferred field was not read, so it cannot have been edited.
        return {
            name: str(self.__dict__[name]) for name in self.CONTENT_FIELDS if name in self.__dict__
        }

    def _content_edited(self, update_fields=None) -> bool:
        """A change to what readers read since the tip was loaded, among the fields saved."""
        loaded = getattr(self, "_loaded_content", {})
        return any(
            loaded.get(name, value) != value
            for name, value in self._content().items()
            if update_fields is None or name in update_fields
        )

    @property
    def modified_at(self) -> datetime.datetime:
        """When readers' text last changed, never before it went public: search engines'
        ``dateModified`` and the page's "Updated" date."""
        return max(self.publish_at, self.edited_at or self.publish_at)

    @property
    def comments_open(self) -> bool:
        """Closed by an editor, or automatically ``COMMENTS_CLOSE_AFTER_DAYS`` after publishing."""
        if self.comments_closed:
            return False
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        return not days or timezone.now() - self.publish_at < datetime.timedelta(days=days)


@Prepared
def _source_links(tip_id: int):
    return (
        TipSource.objects.filter(tip_id=tip_id)
        .order_by("position", "pk")
        .values_list("title", "url")
    )


@keep_versions()
class TipSource(models.Model):
    """Where a tip's facts come from: listed, numbered, under its body."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=200)
    url = models.URLField("link", max_length=500, validators=[validate_web_link])
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Sources are listed by this number, then in the order entered."
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


@keep_versions()
class TipImage(models.Model):
    """A picture uploaded on a tip, shown in its body where ``![description](image:ID)`` says.

    Pillow re-encodes the upload into the widths the page asks for (tips/images.py); readers get
    them as a ``srcset``, with the width and height that keep the page from jumping.
    """

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        upload_to="tips/body/",
        help_text="Any JPEG, PNG, GIF or WebP picture; it is resized for every screen.",
    )
    # Narrower renditions of ``image``, when the upload is wider than they are.
    medium = models.ImageField(upload_to="tips/body/", editable=False, blank=True)
    small = models.ImageField(upload_to="tips/body/", editable=False, blank=True)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField(
        "description",
        max_length=200,
        help_text="What the image shows, for readers who cannot see it.",
    )
    caption = models.CharField(
        max_length=300,
        blank=True,
        help_text="Optional; shown under the image when it stands alone.",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(alt=""), name="tip_body_image_has_description")
        ]

    def __str__(self) -> str:
        return self.alt

    @property
    def snippet(self) -> str:
        """What to paste into the body to show this image."""
        alt = self.alt.replace("[", "(").replace("]", ")")
        return f"![{alt}]({IMAGE_SCHEME}:{self.pk})"

    def renditions(self) -> list[tuple[str, int]]:
        """``(url, width)`` of each stored size, narrowest first."""
        sizes = [(self.small, SMALL_WIDTH), (self.medium, MEDIUM_WIDTH), (self.image, self.width)]
        return [(field.url, min(width, self.width)) for field, width in sizes if field]

    def body_image(self) -> BodyImage:
        return BodyImage(
            renditions=tuple(self.renditions()),
            width=self.width,
            height=self.height,
            alt=self.alt,
            caption=self.caption,
        )

    def addresses(self) -> list[str]:
        """Every address the body may place this image by: its snippet's and its files' URLs."""
        files = [field.url for field in (self.image, self.medium, self.small) if field]
        return [f"{IMAGE_SCHEME}:{self.pk}", *files]
