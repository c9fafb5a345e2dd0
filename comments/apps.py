from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        from tipsite import pagecache

        Comment = self.get_model("Comment")
        # A new comment readers cannot see yet leaves the cached pages as they are.
        pagecache.watch(
            Comment, unseen=lambda comment, created: created and comment.status != "approved"
        )
