from django.urls import path

from . import feeds

app_name = "feeds"

# Each feed sits under /feeds/ at the address of the page it follows.
urlpatterns = [
    path("latest/", feeds.LatestTipsFeed(), name="latest"),
    path("latest/atom/", feeds.LatestTipsAtomFeed(), name="latest-atom"),
    path("<slug:topic>/", feeds.TopicTipsFeed(), name="topic"),
    path("<slug:topic>/atom/", feeds.TopicTipsAtomFeed(), name="topic-atom"),
    path("<slug:topic>/<slug:category>/", feeds.CategoryTipsFeed(), name="category"),
    path("<slug:topic>/<slug:category>/atom/", feeds.CategoryTipsAtomFeed(), name="category-atom"),
]
