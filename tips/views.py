"""Reader pages: the network home, topic sites, categories, tips and gurus."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, ListView, TemplateView

from tipsite import public_forms
from tipsite.antispam import Throttled
from tipsite.params import slug_param

from . import reads, services, social
from .cards import card_of, tip_cards
from .context_processors import menu_entries
from .forms import VoteForm
from .models import Category, Guru, Tip, Topic, sees_only_public_tips, today
from .paging import IdsFirstPaginator, Listing, in_order
from .search import SearchResults, query_words
from .tip_page import tip_page_context
from .visitors import new_token, set_visitor_cookie, visitor_key, visitor_token

logger = logging.getLogger(__name__)

LATEST_TIPS = 8
MOST_HELPFUL_TIPS = 5
# The orders a listing of tips offers (``?sort=``), the first one by default.
SORTS = {"newest": "Newest", "helpful": "Most helpful"}


def published_counts() -> dict[str, dict[int, int]]:
    """How many public tips each category and each topic has.

    The counts kept with the categories hold scheduled tips too (``published_tip_count``): the
    few still to go live are taken off, found through the index on status and publish time.
    """
    per_category, topic_of = {}, {}
    for pk, topic_id, count in Category.objects.order_by().values_list(
        "pk", "topic_id", "published_tip_count"
    ):
        per_category[pk], topic_of[pk] = count, topic_id
    # Counted here, not grouped in SQL: grouping, SQLite's planner scans a whole index by
    # category (8 ms) instead of the few scheduled tips' range of the status index.
    for category_id in Tip.objects.scheduled().order_by().values_list("category_id", flat=True):
        per_category[category_id] -= 1
    per_topic = {}
    for category_id, count in per_category.items():
        per_topic[topic_of[category_id]] = per_topic.get(topic_of[category_id], 0) + count
    return {"category": per_category, "topic": per_topic}


def with_counts(items, counts: dict[int, int]) -> list:
    """``items`` with a ``tip_count`` each, from :func:`published_counts`."""
    items = list(items)
    for item in items:
        item.tip_count = counts.get(item.pk, 0)
    return items


class HomeView(TemplateView):
    template_name = "tips/home.html"

    def get_context_data(self, **kwargs):
        topics = with_counts(Topic.objects.all(), published_counts()["topic"])
        # The header's menu lists the same topics: no query of its own on this page.
        self.request.menu_topics = menu_entries(topics)
        day = today()
        latest = reads.tip_ids(category_ids=None, now=day["now"], helpful=False, start=0,
                               stop=LATEST_TIPS)  # fmt: skip
        return super().get_context_data(
            topics=topics,
            latest_tips=in_order(latest, tip_cards),
            tip_of_the_day=card_of(reads.card_of_the_day(category_ids=None, **day)),
            **kwargs,
        )


class TopicView(DetailView):
    model = Topic
    template_name = "tips/topic_detail.html"

    def get_object(self, queryset=None):
        found = reads.topic(slug=self.kwargs["slug"])
        if not found:
            raise Http404("No such topic")
        return found[0]

    def get_context_data(self, **kwargs):
        day = today()
        categories = reads.topic_categories(topic_id=self.object.pk, now=day["now"])
        for category in categories:  # as the topic's related manager would (their addresses)
            category.topic = self.object
        in_topic = {"category_ids": [category.pk for category in categories], "now": day["now"]}
        latest = reads.tip_ids(**in_topic, helpful=False, start=0, stop=LATEST_TIPS)
        helpful = reads.tip_ids(**in_topic, helpful=True, start=0, stop=MOST_HELPFUL_TIPS)
        # Both lists' cards in one query.
        cards = tip_cards(list(dict.fromkeys(latest + helpful))) if latest or helpful else {}
        return super().get_context_data(
            categories=categories,
            tip_count=sum(category.tip_count for category in categories),
            latest_tips=[cards[pk] for pk in latest],
            most_helpful=[cards[pk] for pk in helpful],
            tip_of_the_day=card_of(reads.card_of_the_day(**{**day, **in_topic})),
            **kwargs,
        )


class TipListView(ListView):
    """A listing of tips, ``TIPS_PER_PAGE`` a page; page 500 costs what page 1 does.

    Newest first, or most helpful first with ``?sort=helpful``; any other order is a 404, as
    a page number that is not one is.
    """

    context_object_name = "tips"
    paginator_class = IdsFirstPaginator

    def get_paginate_by(self, queryset):
        return settings.TIPS_PER_PAGE

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(queryset, per_page, rows=tip_cards, **kwargs)

    @property
    def sort(self) -> str:
        sort = self.request.GET.get("sort") or next(iter(SORTS))
        if sort not in SORTS:
            raise Http404("No such order")
        return sort

    def sorted(self, tips):
        return tips.most_helpful_first() if self.sort == "helpful" else tips

    def get_context_data(self, **kwargs):
        return super().get_context_data(sort=self.sort, sorts=SORTS, **kwargs)


class CategoryView(TipListView):
    """A category's tips. Crawlers read every page of every category: its queries are
    compiled once (tipsite.statements)."""

    template_name = "tips/category_detail.html"

    def get_queryset(self):
        found = reads.category(topic=self.kwargs["topic"], slug=self.kwargs["slug"])
        if not found:
            raise Http404("No such category")
        self.category = found[0]
        where = {"category_id": self.category.pk, "now": timezone.now()}
        helpful = self.sort == "helpful"
        return Listing(
            count=lambda: sum(reads.category_tip_count(**where)),
            ids=lambda start, stop: reads.category_tip_ids(
                **where, helpful=helpful, start=start, stop=stop
            ),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category,
            topic=self.category.topic,
            **kwargs,
        )


class TopicTipsView(TipListView):
    """All the tips of a topic, as a category lists its own."""

    template_name = "tips/topic_tips.html"

    def get_queryset(self):
        self.topic = get_object_or_404(
            Topic.objects.select_related("featured_guru"), slug=self.kwargs["slug"]
        )
        return self.sorted(Tip.objects.published().in_topic(self.topic).for_listing())

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


class TipView(DetailView):
    template_name = "tips/tip_detail.html"
    context_object_name = "tip"

    def get_queryset(self):
        # Editors preview drafts and scheduled tips, a guru their own; readers see what is public.
        tips = Tip.objects.for_page().visible_to(self.request.user)
        return tips.filter(
            category__topic__slug=self.kwargs["topic"], category__slug=self.kwargs["category"]
        )

    def get_object(self, queryset=None):
        if sees_only_public_tips(self.request.user):
            found = reads.public_tip(**self.kwargs, now=timezone.now())
            if not found:
                raise Http404("No such tip")
            return found[0]
        return super().get_object(queryset)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**tip_page_context(self.request, self.object), **kwargs)


class GuruView(TipListView):
    template_name = "tips/guru_detail.html"

    def get_queryset(self):
        self.guru = get_object_or_404(
            Guru.objects.prefetch_related(
                Prefetch("topics", queryset=Topic.objects.order_by("name"))
            ),
            slug=self.kwargs["slug"],
        )
        return self.sorted(Tip.objects.published().filter(guru=self.guru).for_listing())

    def get_context_data(self, **kwargs):
        return super().get_context_data(guru=self.guru, **kwargs)


SEARCH_RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 500


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY_LENGTH]
    topic = Topic.objects.filter(slug=slug_param(request.GET, "topic")).first()
    results = SearchResults(query, topic=topic)
    page = Paginator(results, SEARCH_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    if results.words and not results.count() and page.number == 1:
        services.search_record_miss(query=query)
    response = render(
        request,
        "tips/search.html",
        {
            "query": query.strip(),
            "topic": topic,
            "topics": Topic.objects.order_by("name"),
            "page_obj": page,
            "results": page.object_list,
            "more_than_counted": results.more_than_counted,
            # Any text is a search, even one without a word to look for ("*"): it gets an answer.
            "searched": bool(query.strip()),
        },
    )
    if results.words and not results.count():
        # Every search that finds nothing is counted for the editors: never serve it from a cache.
        add_never_cache_headers(response)
    return response


VOTE_THANKS = {True: "Thanks! Glad this tip helped.", False: "Thanks for telling us."}


@require_POST
def vote(request: HttpRequest, tip_id: int) -> HttpResponse:
    """Record "Was this tip helpful?"; answers JSON to the page's script, else redirects back."""
    tip = get_object_or_404(Tip.objects.published().for_posting(), pk=tip_id)
    wants_json = "application/json" in request.headers.get("accept", "")

    def invalid(form: VoteForm) -> HttpResponse:
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        context = tip_page_context(request, Tip.objects.for_page().get(pk=tip.pk), vote_form=form)
        return render(request, "tips/tip_detail.html", context)

    def throttled(error: Throttled) -> HttpResponse:
        return JsonResponse({"retry_after": error.retry_after}, status=429)

    def valid(data: dict, ip: str) -> HttpResponse:
        token = visitor_token(request) or new_token()
        helpful = data["helpful"] == "yes"
        vote = services.tip_vote(
            tip=tip, visitor=visitor_key(token), helpful=helpful, reason=data["reason"]
        )
        message = VOTE_THANKS[helpful]
        if wants_json:
            response = JsonResponse(
                {
                    "helpful": helpful,
                    "ask_reason": not helpful and not vote.reason,
                    "message": message,
                }
            )
        else:
            messages.success(request, message)
            response = redirect(f"{tip.get_absolute_url()}#helpful")
        set_visitor_cookie(response, token)
        return response

    return public_forms.submit(
        request,
        VoteForm(request.POST),
        form_name="vote",
        invalid=invalid,
        valid=valid,
        throttled=throttled if wants_json else None,
    )


SOCIAL_CARD_OBJECTS = {
    "tip": lambda: Tip.objects.published().select_related("category__topic"),
    "topic": lambda: Topic.objects.all(),
    "category": lambda: Category.objects.select_related("topic"),
    "guru": lambda: Guru.objects.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name"))
    ),
}


@require_safe
def social_card(request: HttpRequest, kind: str, pk: int, digest: str) -> HttpResponse:
    """A page's link-preview picture: drawn on the first request, from the file ever after."""
    if kind not in SOCIAL_CARD_OBJECTS:
        raise Http404
    card = social.card_for(get_object_or_404(SOCIAL_CARD_OBJECTS[kind](), pk=pk))
    if digest != card.digest:  # shared before the page changed: today's picture
        return redirect(card.get_absolute_url())
    response = FileResponse(
        default_storage.open(social.stored_card(card)), content_type="image/png"
    )
    # The address names what is drawn, so what it answers never changes.
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


# The 404 page reads at most this much of the address it could not find.
MAX_MISSED_PATH = 300
NOT_FOUND_SUGGESTIONS = 5


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the search box, the topic sites, and tips whose titles (or questions) share words
    with the address, so a mistyped or outdated link still leads to the tip it meant.

    One bounded query of the search index (at most eight words, five tips); a failure to
    suggest leaves the suggestions out rather than turning the 404 into a 500.
    """
    words = " ".join(query_words(request.path[:MAX_MISSED_PATH]))
    try:
        found = SearchResults(words, any_word=True, titles_only=True)
        suggestions = found.tips(NOT_FOUND_SUGGESTIONS)
    except DatabaseError:
        logger.exception("The 404 page could not look for tips like %r", words)
        suggestions = []
    context = {"suggestions": suggestions, "missed_words": words}
    return render(request, "404.html", context, status=404)
