from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Tip requests"

    def ready(self):
        from tipsite import pagecache

        # Only answered requests are public (/requests/answered/).
        pagecache.watch(
            self.get_model("TipRequest"),
            unseen=lambda tip_request, created: tip_request.status != "answered",
        )
