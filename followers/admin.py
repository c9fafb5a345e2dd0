"""What editors see of followers: addresses and what they follow, counted per topic. Never the
tokens or anything else: the address is all a follower gave."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from .models import FollowedTopic, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "follows", "confirmed_at", "created_at"]
    list_filter = ["topic", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["topic", "tip"]
    search_fields = ["email"]
    fields = ["email", "topic", "tip", "created_at", "confirmed_at"]
    readonly_fields = fields

    @admin.display(description="Follows")
    def follows(self, subscription):
        return subscription.describe

    def has_add_permission(self, request):
        return False  # only an address's owner subscribes it, by confirming

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FollowedTopic)
class FollowedTopicAdmin(admin.ModelAdmin):
    """Each topic's letter with its confirmed subscribers, counted; a click lists them."""

    list_display = ["name", "subscriber_count"]
    fields = ["name"]
    readonly_fields = fields

    def get_queryset(self, request):
        confirmed = Q(follower_subscriptions__confirmed_at__isnull=False)
        return (
            super()
            .get_queryset(request)
            .annotate(subscribers=Count("follower_subscriptions", filter=confirmed))
        )

    @admin.display(description="Confirmed subscribers", ordering="subscribers")
    def subscriber_count(self, topic):
        url = reverse("admin:followers_subscription_changelist")
        return format_html(
            '<a href="{}?topic__id__exact={}&amp;confirmed_at__isempty=0">{}</a>',
            url,
            topic.pk,
            topic.subscribers,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deleting here would delete the topic
