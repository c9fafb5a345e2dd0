from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from tipsite.changelist import DateSafeListMixin

from . import services
from .forms import GuruAdminForm, TipAdminForm, TipSourceForm
from .models import Category, Guru, Tip, TipSource, Topic, Vote


def image_preview(field_file, size: int):
    if not field_file:
        return "—"
    return format_html(
        '<img src="{}" alt="" width="{}">',
        field_file.url,
        size,
    )


class VoteInline(admin.TabularInline):
    """Readers' answers to "Was this tip helpful?", with what they missed."""

    model = Vote
    fields = ["helpful", "reason", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-updated_at"]
    verbose_name_plural = "helpful votes"

    def has_add_permission(self, request, obj=None):
        return False


class TipSourceInline(admin.TabularInline):
    """Where the tip's facts come from, listed under its body in this order."""

    model = TipSource
    form = TipSourceForm
    extra = 1


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "featured_guru"]
    search_fields = ["name", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["featured_guru"]
    inlines = [CategoryInline]
    fields = ["name", "slug", "tagline", "description", "notice", "colour", "featured_guru"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "topic", "slug"]
    list_filter = ["topic"]
    list_select_related = ["topic"]
    search_fields = ["name", "topic__name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Guru)
class GuruAdmin(admin.ModelAdmin):
    form = GuruAdminForm
    list_display = ["portrait", "name", "website"]
    list_display_links = ["portrait", "name"]
    list_filter = ["topics"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    readonly_fields = ["photo_preview"]
    fields = ["name", "slug", "photo", "photo_preview", "bio", "credentials", "website", "topics"]

    @admin.display(description="Photo")
    def portrait(self, guru):
        return image_preview(guru.thumbnail, 40)

    @admin.display(description="Current photo")
    def photo_preview(self, guru):
        return image_preview(guru.photo, 160)


@admin.register(Tip)
class TipAdmin(DateSafeListMixin, admin.ModelAdmin):
    form = TipAdminForm
    list_display = [
        "title", "category", "guru", "status", "visibility", "publish_at", "comment_count",
        "helpful",
    ]  # fmt: skip
    list_filter = ["status", "category__topic", "category", "guru"]
    list_select_related = ["category__topic", "guru"]
    search_fields = ["title", "question", "body"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "guru"]
    readonly_fields = ["image_preview", "created_at", "updated_at", "edited_at"]
    actions = ["publish_now", "unpublish"]
    inlines = [TipSourceInline, VoteInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "question", "body", "category", "guru"]}),
        ("Image", {"fields": ["image", "image_preview", "image_alt"]}),
        ("Publishing", {"fields": ["status", "publish_at", "last_reviewed", "comments_closed"]}),
        ("History", {"fields": ["created_at", "edited_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The tip's own fields date their edits (Tip.save); its sources are read by readers too.
        if change and any(
            formset.model is TipSource and formset.has_changed() for formset in formsets
        ):
            Tip.objects.filter(pk=form.instance.pk).update(edited_at=timezone.now())

    @admin.display(description="Helpful", ordering="helpful_yes")
    def helpful(self, tip):
        share = tip.helpful_share
        return "—" if share is None else f"{share}% of {tip.helpful_yes + tip.helpful_no}"

    @admin.display(description="Visible to readers")
    def visibility(self, tip):
        if tip.is_live:
            return "Live"
        if tip.is_scheduled:
            return "Scheduled"
        return "Not public"

    @admin.display(description="Preview")
    def image_preview(self, tip):
        return image_preview(tip.image, 320)

    @admin.action(description="Publish selected tips now", permissions=["change"])
    def publish_now(self, request, queryset):
        changed = services.tips_publish_now(tips=queryset)
        self.message_user(
            request,
            ngettext("%d tip was published.", "%d tips were published.", changed) % changed,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected tips", permissions=["change"])
    def unpublish(self, request, queryset):
        changed = services.tips_unpublish(tips=queryset)
        self.message_user(
            request,
            ngettext("%d tip was unpublished.", "%d tips were unpublished.", changed) % changed,
            messages.SUCCESS,
        )
