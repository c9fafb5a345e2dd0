from django.apps import AppConfig


class FollowersConfig(AppConfig):
    name = "followers"
    verbose_name = "Followers by e-mail"

    def ready(self):
        from comments.signals import comment_published

        from . import receivers

        comment_published.connect(receivers.record_comment_notices, dispatch_uid="followers")
