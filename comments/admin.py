from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.utils.text import Truncator
from django.utils.translation import ngettext

from tipsite.changelist import DateSafeListMixin

from . import services
from .models import Comment

ACTION_LABELS = {
    Comment.Status.APPROVED: ("%d comment was approved.", "%d comments were approved."),
    Comment.Status.SPAM: ("%d comment was marked as spam.", "%d comments were marked as spam."),
    Comment.Status.REMOVED: ("%d comment was removed.", "%d comments were removed."),
}


@admin.register(Comment)
class CommentAdmin(DateSafeListMixin, admin.ModelAdmin):
    """The moderation queue: pending comments first, newest first within each status."""

    list_display = ["name", "excerpt", "tip", "status", "moderation_note", "submitted_at"]
    list_filter = ["status", "submitted_at"]
    list_select_related = ["tip__category__topic"]
    search_fields = ["name", "email", "body", "tip__title"]
    date_hierarchy = "submitted_at"
    actions = ["approve", "mark_spam", "remove"]
    autocomplete_fields = ["tip"]
    readonly_fields = ["submitted_at", "ip_address", "user_agent", "moderation_note"]
    fields = [
        "tip", "name", "email", "url", "body", "status", "moderation_note", "submitted_at",
        "ip_address", "user_agent",
    ]  # fmt: skip

    def get_ordering(self, request):
        pending_first = Case(When(status=Comment.Status.PENDING, then=Value(0)), default=Value(1))
        return [pending_first.asc(), "-submitted_at"]

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.tips_refresh_comment_counts(tip_ids=[obj.tip_id])
        if "status" in form.changed_data and obj.status == Comment.Status.APPROVED:
            services.comments_announce(comments=[obj])

    def delete_queryset(self, request, queryset):
        tip_ids = set(queryset.values_list("tip_id", flat=True))
        super().delete_queryset(request, queryset)
        services.tips_refresh_comment_counts(tip_ids=tip_ids)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.tips_refresh_comment_counts(tip_ids=[obj.tip_id])

    def _moderate(self, request, queryset, status):
        changed = services.comments_moderate(comments=queryset, status=status)
        singular, plural = ACTION_LABELS[status]
        self.message_user(request, ngettext(singular, plural, changed) % changed, messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED)

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM)

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REMOVED)
