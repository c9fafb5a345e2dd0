from django.urls import path

from tipsite.pagecache import cache_page_for_readers

from . import feeds

app_name = "feeds"


def feed(feed_class):
    """A feed's view, kept in the page cache: feeds change only when content does."""
    return cache_page_for_readers(feed_class())


# Each feed sits under /feeds/ at the address of the page it follows.
urlpatterns = [
    path("latest/", feed(feeds.LatestTipsFeed), name="latest"),
    path("latest/atom/", feed(feeds.LatestTipsAtomFeed), name="latest-atom"),
    path("<slug:topic>/", feed(feeds.TopicTipsFeed), name="topic"),
    path("<slug:topic>/atom/", feed(feeds.TopicTipsAtomFeed), name="topic-atom"),
    path("<slug:topic>/<slug:category>/", feed(feeds.CategoryTipsFeed), name="category"),
    path(
        "<slug:topic>/<slug:category>/atom/", feed(feeds.CategoryTipsAtomFeed), name="category-atom"
    ),
]
