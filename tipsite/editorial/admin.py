"""Admin screens that join apps: a tip written from a tip request answers it.

The tips app knows nothing of requests, so its ``TipAdmin`` is extended here, above both.
"""

from django.contrib import admin

from requests_app.models import TipRequest
from requests_app.services import tip_request_answer
from tips.admin import TipAdmin
from tips.models import Tip


class TipFromRequestAdmin(TipAdmin):
    def get_changeform_initial_data(self, request):
        """ "Write this tip" from a tip request arrives with its question, category and guru."""
        initial = super().get_changeform_initial_data(request)
        initial.pop("from_request", None)
        return initial

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from_request = request.GET.get("from_request", "")
        if change or not from_request.isdigit():
            return
        if tip_request := TipRequest.objects.filter(pk=from_request).first():
            tip_request_answer(tip_request=tip_request, tip=obj)
            self.message_user(request, f"The request “{tip_request}” is answered by this tip.")


admin.site.unregister(Tip)
admin.site.register(Tip, TipFromRequestAdmin)
