from urllib.parse import urlencode

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from tipsite.changelist import DateSafeListMixin

from . import services
from .models import TipRequest

QUESTION_OPENINGS = ("what is ", "what are ", "what's ")


def suggest_title(question: str) -> str:
    """A first title for the tip that answers ``question``, for the editor to improve.

    "What is neuromuscular therapy?" suggests "Neuromuscular therapy", as the seed tip's title
    names its subject; other questions keep their words without the question mark.
    """
    title = question.strip().rstrip("?!. ").strip()
    lowered = title.lower()
    for opening in QUESTION_OPENINGS:
        if lowered.startswith(opening) and len(title) > len(opening):
            title = title[len(opening) :]
            break
    return title[:1].upper() + title[1:]


@admin.register(TipRequest)
class TipRequestAdmin(DateSafeListMixin, admin.ModelAdmin):
    """Triage: newest first; plan or decline in bulk; answer by writing the tip."""

    list_display = ["question", "status", "topic", "category", "assigned_guru", "submitted_at",
                    "write_link"]  # fmt: skip
    list_filter = ["status", "topic", "assigned_guru"]
    list_select_related = ["topic", "category__topic", "assigned_guru"]
    search_fields = ["question", "details", "name", "email"]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["assigned_guru", "answer_tip"]
    readonly_fields = ["submitted_at", "notified_at", "write_link"]
    actions = ["mark_planned", "mark_declined"]
    fieldsets = [
        (None, {"fields": ["question", "details", "topic", "category"]}),
        ("Requester", {"fields": ["name", "email"]}),
        ("Triage", {"fields": ["status", "assigned_guru", "answer_tip", "write_link"]}),
        ("History", {"fields": ["submitted_at", "notified_at"]}),
    ]

    @admin.display(description="Answer")
    def write_link(self, tip_request):
        if tip_request.answer_tip_id or not tip_request.pk:
            return "—"
        params = {
            "title": suggest_title(tip_request.question),
            "question": tip_request.question,
            "from_request": tip_request.pk,
        }
        if tip_request.category_id:
            params["category"] = tip_request.category_id
        if tip_request.assigned_guru_id:
            params["guru"] = tip_request.assigned_guru_id
        url = f"{reverse('admin:tips_tip_add')}?{urlencode(params)}"
        return format_html('<a href="{}">Write this tip</a>', url)

    def save_model(self, request, obj, form, change):
        answered_now = "answer_tip" in form.changed_data and obj.answer_tip_id
        super().save_model(request, obj, form, change)
        if answered_now:
            services.tip_request_answer(tip_request=obj, tip=obj.answer_tip)

    def _set_status(self, request, queryset, status, singular, plural):
        changed = services.tip_requests_set_status(tip_requests=queryset, status=status)
        self.message_user(request, ngettext(singular, plural, changed) % changed, messages.SUCCESS)

    @admin.action(description="Mark selected requests as planned", permissions=["change"])
    def mark_planned(self, request, queryset):
        self._set_status(
            request, queryset, TipRequest.Status.PLANNED,
            "%d request was marked as planned.", "%d requests were marked as planned.",
        )  # fmt: skip

    @admin.action(description="Decline selected requests", permissions=["change"])
    def mark_declined(self, request, queryset):
        self._set_status(
            request, queryset, TipRequest.Status.DECLINED,
            "%d request was declined.", "%d requests were declined.",
        )  # fmt: skip
