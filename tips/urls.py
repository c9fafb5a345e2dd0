from django.urls import path

from tipsite.pagecache import cache_page_for_readers

from . import views

app_name = "tips"

# Pages whose tip cards count comments change with any tip's comments; a tip page with its own.
listing = cache_page_for_readers(depends=("discussion",))
tip_page = cache_page_for_readers(depends=("address",))

urlpatterns = [
    path("", listing(views.HomeView.as_view()), name="home"),
    path("search/", cache_page_for_readers(views.search), name="search"),
    path("tips/<int:tip_id>/vote/", views.vote, name="vote"),
    path("gurus/<slug:slug>/", listing(views.GuruView.as_view()), name="guru"),
    # Topic sites live at the root; their slugs may not take a fixed address (validators.py).
    path("<slug:slug>/", listing(views.TopicView.as_view()), name="topic"),
    path(
        "<slug:topic>/<slug:slug>/",
        listing(views.CategoryView.as_view()),
        name="category",
    ),
    path(
        "<slug:topic>/<slug:category>/<slug:slug>/",
        tip_page(views.TipView.as_view()),
        name="tip",
    ),
]
