from django.urls import path

from tipsite.pagecache import cache_page_for_readers

from . import views

app_name = "tips"

# Pages whose tip cards count comments change with any tip's comments; a tip page with its own.
# Each names the query parameters it reads: no other one makes a page of its own in the cache.
listing = cache_page_for_readers(depends=("discussion",))
sorted_listing = cache_page_for_readers(depends=("discussion",), params=("page", "sort"))
tip_page = cache_page_for_readers(depends=("address",), params=("comments",))

urlpatterns = [
    path("", listing(views.HomeView.as_view()), name="home"),
    path(
        "search/",
        cache_page_for_readers(views.search, params=("q", "topic", "page")),
        name="search",
    ),
    path("tips/<int:tip_id>/vote/", views.vote, name="vote"),
    path(
        "social-cards/<str:kind>/<int:pk>/<str:digest>.png",
        views.social_card,
        name="social-card",
    ),
    path("gurus/<slug:slug>/", sorted_listing(views.GuruView.as_view()), name="guru"),
    # Topic sites live at the root; their slugs may not take a fixed address (validators.py).
    path("<slug:slug>/", listing(views.TopicView.as_view()), name="topic"),
    # Before the categories: no category may take the slug "tips" (validators.py).
    path("<slug:slug>/tips/", sorted_listing(views.TopicTipsView.as_view()), name="topic-tips"),
    path(
        "<slug:topic>/<slug:slug>/",
        sorted_listing(views.CategoryView.as_view()),
        name="category",
    ),
    path(
        "<slug:topic>/<slug:category>/<slug:slug>/",
        tip_page(views.TipView.as_view()),
        name="tip",
    ),
]
