from django.urls import path

from tipsite.pagecache import cache_page_for_readers

from . import views

app_name = "tips"

urlpatterns = [
    path("", cache_page_for_readers(views.HomeView.as_view()), name="home"),
    path("search/", views.search, name="search"),
    path("tips/<int:tip_id>/vote/", views.vote, name="vote"),
    path("gurus/<slug:slug>/", cache_page_for_readers(views.GuruView.as_view()), name="guru"),
    # Topic sites live at the root; their slugs may not take a fixed address (validators.py).
    path("<slug:slug>/", cache_page_for_readers(views.TopicView.as_view()), name="topic"),
    path(
        "<slug:topic>/<slug:slug>/",
        cache_page_for_readers(views.CategoryView.as_view()),
        name="category",
    ),
    path(
        "<slug:topic>/<slug:category>/<slug:slug>/",
        cache_page_for_readers(views.TipView.as_view()),
        name="tip",
    ),
]
