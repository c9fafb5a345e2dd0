"""Admin screens that join apps: a tip written from a tip request answers it.

The tips app knows nothing of requests, so its ``TipAdmin`` is extended here, above both.
"""

from django.contrib import admin
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html

from requests_app.models import TipRequest
from requests_app.services import tip_request_answer
from tips.admin import TipAdmin
from tips.models import Tip


class TipFromRequestAdmin(TipAdmin):
    def answering(self, request) -> TipRequest | None:
        """The request "Write this tip" came from (``?from_request=``), for those who triage
        requests; anyone else's tip answers nothing."""
        from_request = request.GET.get("from_request", "")
        may_answer = request.user.has_perm("requests_app.change_tiprequest")
        if not from_request.isdigit() or not may_answer:
            return None
        return TipRequest.objects.filter(pk=from_request).first()

    def get_changeform_initial_data(self, request):
        """ "Write this tip" from a tip request arrives with its question, title, category and
        guru (in the address); the request's details are shown beside the form."""
        initial = super().get_changeform_initial_data(request)
        initial.pop("from_request", None)
        return initial

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        tip_request = self.answering(request) if obj is None else None
        if tip_request is None:
            return fieldsets
        asked = format_html(
            '<p class="answering__question">{}</p>{}',
            tip_request.question,
            format_html('<p class="answering__details">{}</p>', linebreaksbr(tip_request.details))
            if tip_request.details
            else format_html('<p class="answering__details">{}</p>', "No details given."),
        )
        answering = (
            "The reader asked",
            {"fields": [], "description": asked, "classes": ["answering"]},
        )
        return [answering, *fieldsets]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            return
        if tip_request := self.answering(request):
            tip_request_answer(tip_request=tip_request, tip=obj)
            self.message_user(request, f"The request “{tip_request}” is answered by this tip.")


admin.site.unregister(Tip)
admin.site.register(Tip, TipFromRequestAdmin)
