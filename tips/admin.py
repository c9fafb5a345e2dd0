from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from reversion_compare.admin import CompareVersionAdmin

from tipsite.changelist import DateSafeListMixin

from . import services
from .forms import (
    AssignGuruForm,
    GuruAdminForm,
    MoveToCategoryForm,
    TipAdminForm,
    TipImageForm,
    TipImageFormSet,
    TipSourceForm,
)
from .markup import body_problems, render_markdown
from .models import Category, Guru, Tip, TipImage, TipSource, Topic, Vote

# What a restore keeps from today rather than from the earlier version: they count readers'
# comments and votes, which editors never write (and versions do not keep).
LIVE_FIELDS = ["updated_at", "comment_count", "helpful_yes", "helpful_no"]


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


class TipImageInline(admin.TabularInline):
    """Pictures for the body, each with the snippet that places it there."""

    model = TipImage
    form = TipImageForm
    formset = TipImageFormSet
    fields = ["image", "thumbnail", "alt", "caption", "snippet_to_copy"]
    readonly_fields = ["thumbnail", "snippet_to_copy"]
    extra = 1
    verbose_name = "image for the body"
    verbose_name_plural = "images for the body"

    @admin.display(description="Current")
    def thumbnail(self, image):
        return image_preview(image.small or image.image, 120)

    @admin.display(description="Paste into the body")
    def snippet_to_copy(self, image):
        if not image.pk:
            return "Save to get its snippet."
        return format_html(
            '<input type="text" readonly class="tip-image-snippet" value="{}" aria-label="{}">',
            image.snippet,
            f"Snippet for {image.alt}",
        )


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
    fields = [
        "name", "slug", "photo", "photo_preview", "bio", "credentials", "website", "topics", "user",
    ]  # fmt: skip

    @admin.display(description="Photo")
    def portrait(self, guru):
        return image_preview(guru.thumbnail, 40)

    @admin.display(description="Current photo")
    def photo_preview(self, guru):
        return image_preview(guru.photo, 160)


def _when(moment) -> str:
    """Short enough for the list's status column: the year only when it is not this one."""
    local = timezone.localtime(moment)
    if local.year == timezone.localdate().year:
        return date_format(local, "M j, H:i")
    return date_format(local, "M j, Y")


class TipStatusFilter(admin.SimpleListFilter):
    """The four states an editor thinks in; "scheduled" and "live" split the published ones."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (Tip.Status.DRAFT, "Draft"),
            (Tip.Status.IN_REVIEW, "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case Tip.Status.DRAFT | Tip.Status.IN_REVIEW as status:
                return queryset.filter(status=status)
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
        return queryset


class ReviewDueFilter(admin.SimpleListFilter):
    """The public tips nobody has looked at for a year (the rule of ``due_review``)."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Due a review")]

    def queryset(self, request, queryset):
        return queryset.due_review() if self.value() == "due" else queryset


@admin.register(Tip)
class TipAdmin(DateSafeListMixin, CompareVersionAdmin):
    """Editors manage every tip; a guru (no ``publish_tip``) writes and edits only their own
    drafts, submits them for review, and never sets status, guru or publish time.

    Every limit is on the server: the queryset (so another guru's tip is "not found" to change,
    history and every action), the permissions per tip and the form's fields. Every save is kept
    as a version (django-reversion): History compares any two and restores one; deleted tips
    come back from "Recover deleted tips", for editors only.
    """

    form = TipAdminForm
    list_display = ["title", "category_and_topic", "guru", "state", "comments", "helpful"]
    list_filter = [TipStatusFilter, "category__topic", "guru", ReviewDueFilter, "category"]
    list_select_related = ["category__topic", "guru"]
    search_fields = ["title", "question", "body"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "guru"]
    readonly_fields = [
        "image_preview", "created_at", "updated_at", "edited_at", "review_state", "editors_note",
    ]  # fmt: skip
    actions = [
        "submit_for_review", "publish_now", "unpublish", "move_to_category", "assign_guru",
    ]  # fmt: skip
    inlines = [TipImageInline, TipSourceInline, VoteInline]
    # The body's text diff is the comparison that matters; these change on every save.
    compare_exclude = ["updated_at", "created_at", "edited_at"]
    history_latest_first = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "question", "body", "category", "guru"]}),
        ("Image", {"fields": ["image", "image_preview", "image_alt"]}),
        ("Publishing", {"fields": ["status", "publish_at", "last_reviewed", "comments_closed"]}),
        ("History", {"fields": ["created_at", "edited_at", "updated_at"], "classes": ["collapse"]}),
    ]
    writer_fieldsets = [
        (None, {"fields": ["title", "slug", "question", "body", "category"]}),
        ("Image", {"fields": ["image", "image_preview", "image_alt"]}),
    ]

    # Who is asking.

    def has_publish_permission(self, request) -> bool:
        """Editors' power: review, publish, and manage anyone's tips."""
        return request.user.has_perm("tips.publish_tip")

    def writes_own_only(self, request) -> bool:
        return not self.has_publish_permission(request)

    def has_submit_permission(self, request) -> bool:
        return self.writes_own_only(request) and self.has_change_permission(request)

    def _owns(self, request, tip) -> bool:
        return tip.guru_id is not None and tip.guru.user_id == request.user.pk

    def get_queryset(self, request):
        tips = super().get_queryset(request)
        if self.writes_own_only(request):
            return tips.filter(guru__user=request.user)
        return tips

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        return not self.writes_own_only(request) or Guru.objects.filter(user=request.user).exists()

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if obj is None or not allowed or not self.writes_own_only(request):
            return allowed
        return self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        """A guru changes their own drafts only: a tip in review is the editors' to judge, and
        a published one is read by the public, so the guru's edits must go through review."""
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed or not self.writes_own_only(request):
            return allowed
        return self._owns(request, obj) and obj.status == Tip.Status.DRAFT

    def has_delete_permission(self, request, obj=None):
        return not self.writes_own_only(request) and super().has_delete_permission(request, obj)

    # The screens.

    def get_list_display(self, request):
        if self.writes_own_only(request):
            return ["title", "category_and_topic", "state", "comments", "helpful"]
        return self.list_display

    def get_list_filter(self, request):
        if self.writes_own_only(request):
            return [TipStatusFilter, "category__topic"]
        return self.list_filter

    def changelist_view(self, request, extra_context=None):
        if request.GET.get(TipStatusFilter.parameter_name) == Tip.Status.IN_REVIEW:
            extra_context = {
                "title": "Tips in review, oldest submission first",
                **(extra_context or {}),
            }
        return super().changelist_view(request, extra_context)

    def get_ordering(self, request):
        """The review queue (status "in review") is served oldest submission first."""
        if request.GET.get(TipStatusFilter.parameter_name) == Tip.Status.IN_REVIEW:
            return ["submitted_at", "pk"]
        return super().get_ordering(request)

    def get_fieldsets(self, request, obj=None):
        if self.writes_own_only(request):
            fieldsets = list(self.writer_fieldsets)
            if obj is not None:
                fieldsets.insert(0, ("Review", {"fields": ["review_state", "editors_note"]}))
        else:
            fieldsets = list(self.fieldsets)
            if obj is not None and obj.status == Tip.Status.IN_REVIEW:
                fieldsets.insert(0, ("Review", {"fields": ["review_state", "reply"]}))
        (name, options), *rest = fieldsets
        # The hidden "opened at" time rides along with the first fieldset (a hidden row).
        return [(name, {**options, "fields": [*options["fields"], "opened_at"]}), *rest]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["review_buttons"] = self._review_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _review_buttons(self, request, tip) -> list[tuple[str, str]]:
        if self.writes_own_only(request):
            if tip is None or self.has_change_permission(request, tip):
                return [("_submit_for_review", "Save and submit for review")]
            return []
        if tip is not None and tip.status == Tip.Status.IN_REVIEW:
            return [
                ("_request_changes", "Request changes"),
                ("_approve_publish", "Approve and publish"),
                ("_approve_schedule", "Approve and schedule"),
            ]
        return []

    def save_model(self, request, obj, form, change):
        live = getattr(request, "tip_live", None)
        if live:  # a restore: the counters stay today's
            for field in LIVE_FIELDS[1:]:
                setattr(obj, field, live[field])
        if self.writes_own_only(request) and not change:
            # Never from the form: a guru's new tip is theirs, and a draft.
            obj.guru = Guru.objects.get(user=request.user)
            obj.status = Tip.Status.DRAFT
        approving = (
            change
            and form.initial.get("status") == Tip.Status.IN_REVIEW
            and obj.status == Tip.Status.PUBLISHED
        )
        if approving:
            # Published from the status box: an approval all the same, so the guru hears of it.
            obj.status = Tip.Status.IN_REVIEW
        super().save_model(request, obj, form, change)
        if approving:
            services.tip_approve(tip=obj, publish_at=obj.publish_at)

    def response_add(self, request, obj, post_url_continue=None):
        return self._review_response(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._review_response(request, obj) or super().response_change(request, obj)

    def _review_response(self, request, tip):
        """After a save, the review button that was pressed (if the user may press it)."""
        queue = f"{self._changelist_url()}?status={Tip.Status.IN_REVIEW}"
        if "_submit_for_review" in request.POST and self.has_submit_permission(request):
            if services.tip_submit_for_review(tip=tip):
                self.message_user(
                    request, f"“{tip}” is submitted for review: the editors are told.",
                    messages.SUCCESS,
                )  # fmt: skip
            return HttpResponseRedirect(self._changelist_url())
        if not self.has_publish_permission(request):
            return None
        if "_request_changes" in request.POST:
            note = request.POST.get("reply", "").strip()
            done = services.tip_request_changes(tip=tip, note=note)
            self._report(request, done, f"“{tip}” is sent back to its guru with your note.")
            return HttpResponseRedirect(queue)
        if "_approve_publish" in request.POST or "_approve_schedule" in request.POST:
            publish_at = tip.publish_at if "_approve_schedule" in request.POST else None
            done = services.tip_approve(tip=tip, publish_at=publish_at)
            if done and tip.is_scheduled:
                text = f"“{tip}” is approved and scheduled for {_when(tip.publish_at)}."
            else:
                text = f"“{tip}” is approved and published."
            self._report(request, done, text)
            return HttpResponseRedirect(queue)
        return None

    def _report(self, request, done: bool, text: str) -> None:
        if done:
            self.message_user(request, text, messages.SUCCESS)
        else:
            self.message_user(request, "That tip is no longer in review.", messages.WARNING)

    def _changelist_url(self) -> str:
        return reverse("admin:tips_tip_changelist")

    # The columns.

    @admin.display(description="Status", ordering="publish_at")
    def state(self, tip):
        if tip.is_live:
            return format_html("Live <small>since {}</small>", _when(tip.publish_at))
        if tip.is_scheduled:
            return format_html("Scheduled <small>for {}</small>", _when(tip.publish_at))
        if tip.status == Tip.Status.IN_REVIEW and tip.submitted_at:
            return format_html("In review <small>since {}</small>", _when(tip.submitted_at))
        if tip.review_note:
            return format_html("Draft <small>{}</small>", "changes requested")
        return tip.get_status_display()

    @admin.display(description="Status")
    def review_state(self, tip):
        return self.state(tip)

    @admin.display(description="Editor’s note")
    def editors_note(self, tip):
        return tip.review_note or "—"

    @admin.display(description="Category", ordering="category__name")
    def category_and_topic(self, tip):
        return format_html("{} <small>{}</small>", tip.category.name, tip.category.topic.name)

    @admin.display(description="Comments", ordering="comment_count")
    def comments(self, tip):
        return tip.comment_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The tip's own fields date their edits (Tip.save); its sources are read by readers too.
        if change and any(
            formset.model is TipSource and formset.has_changed() for formset in formsets
        ):
            Tip.objects.filter(pk=form.instance.pk).update(edited_at=timezone.now())
        # The body shows the images as they are now saved (a new file, a corrected description).
        if any(formset.has_changed() for formset in formsets if formset.model is TipImage):
            form.instance.save(update_fields=["body"])

    class Media:
        css = {"all": ["css/admin-desk.css", "css/tip-editor.css"]}
        js = ["js/tip-editor.js"]

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="tips_tip_preview",
        )
        return [preview, *super().get_urls()]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        body = form.base_fields.get("body")
        if body is not None:
            body.widget.attrs.update(
                {
                    "data-preview-url": reverse("admin:tips_tip_preview"),
                    "data-tip": obj.pk if obj and obj.pk else "",
                    "class": "vLargeTextField tip-editor__source",
                }
            )
        live = getattr(request, "tip_live", None)
        if live:
            form = type(form.__name__, (form,), {"live_saved_at": live["updated_at"]})
        return form

    def _visible_tip(self, request: HttpRequest, object_id: str) -> Tip:
        """The tip, if this editor may see it; the history pages ask as the change form does."""
        tip = self.get_object(request, unquote(object_id))
        if tip is None:
            raise Http404("No such tip.")
        if not self.has_view_or_change_permission(request, tip):
            raise PermissionDenied
        return tip

    def history_view(self, request, object_id, extra_context=None):
        self._visible_tip(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        self._visible_tip(request, object_id)
        return super().compare_view(request, object_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        self._editors_only(request)
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        self._editors_only(request)
        return super().recover_view(request, version_id, extra_context)

    def _editors_only(self, request) -> None:
        """Restoring or recovering writes back a whole earlier row, status and guru included:
        only editors, who may set those, may do it."""
        if self.writes_own_only(request):
            raise PermissionDenied

    def revision_view(self, request, object_id, version_id, extra_context=None):
        self._editors_only(request)
        tip = self._visible_tip(request, object_id)
        # Showing a version reverts the row inside a transaction first: remember what is live
        # now, for the form's "changed since you opened it" check and the counters.
        request.tip_live = {field: getattr(tip, field) for field in LIVE_FIELDS}
        return super().revision_view(request, object_id, version_id, extra_context)

    @method_decorator(require_POST)
    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """The body as the public page will show it, and what saving would refuse.

        Rendered by the page's own function, with the tip's saved images, so the two agree.
        """
        tip_id = request.POST.get("tip", "")
        if tip_id:
            images = self._visible_tip(request, tip_id).body_images()
        elif self.has_add_permission(request):
            images = {}
        else:
            raise PermissionDenied
        body = request.POST.get("body", "")
        return JsonResponse(
            {"html": render_markdown(body, images), "problems": body_problems(body, images)}
        )

    @admin.display(description="Helpful", ordering="helpful_yes")
    def helpful(self, tip):
        share = tip.helpful_share
        return "—" if share is None else f"{share}% of {tip.helpful_yes + tip.helpful_no}"

    @admin.display(description="Preview")
    def image_preview(self, tip):
        return image_preview(tip.image, 320)

    # The actions.

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting in bulk is for editors too (Django offers it with the delete permission).
        if self.writes_own_only(request):
            actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Submit selected drafts for review", permissions=["submit"])
    def submit_for_review(self, request, queryset):
        sent = services.tips_submit_for_review(tips=queryset)
        self.message_user(
            request,
            ngettext("%d tip was submitted for review.", "%d tips were submitted for review.", sent)
            % sent,
            messages.SUCCESS,
        )

    @admin.action(description="Publish selected tips now", permissions=["publish"])
    def publish_now(self, request, queryset):
        changed = services.tips_publish_now(tips=queryset, user=request.user)
        self.message_user(
            request,
            ngettext("%d tip was published.", "%d tips were published.", changed) % changed,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected tips", permissions=["publish"])
    def unpublish(self, request, queryset):
        changed = services.tips_unpublish(tips=queryset, user=request.user)
        self.message_user(
            request,
            ngettext("%d tip was unpublished.", "%d tips were unpublished.", changed) % changed,
            messages.SUCCESS,
        )

    @admin.action(description="Move selected tips to another category…", permissions=["publish"])
    def move_to_category(self, request, queryset):
        def move(category):
            moved, clashes = services.tips_move_to_category(tips=queryset, category=category)
            self.message_user(
                request,
                ngettext(
                    "%(n)d tip was moved to %(to)s.", "%(n)d tips were moved to %(to)s.", moved
                )
                % {"n": moved, "to": category},
                messages.SUCCESS,
            )
            if clashes:
                titles = ", ".join(f"“{tip}”" for tip in clashes)
                self.message_user(
                    request,
                    f"Not moved, as {category} already has a tip at the same address: {titles}.",
                    messages.WARNING,
                )

        return self._choose_then(
            request, queryset, action="move_to_category", form_class=MoveToCategoryForm,
            title="Move tips to another category", apply=lambda data: move(data["category"]),
            note="Their addresses change with the category: links to the old ones will not "
            "find them.",
        )  # fmt: skip

    @admin.action(description="Give selected tips to another guru…", permissions=["publish"])
    def assign_guru(self, request, queryset):
        def assign(guru):
            changed = services.tips_assign_guru(tips=queryset, guru=guru)
            self.message_user(
                request,
                ngettext(
                    "%(n)d tip now has %(to)s as its guru.",
                    "%(n)d tips now have %(to)s as their guru.",
                    changed,
                )
                % {"n": changed, "to": guru},
                messages.SUCCESS,
            )

        return self._choose_then(
            request, queryset, action="assign_guru", form_class=AssignGuruForm,
            title="Give tips to another guru", apply=lambda data: assign(data["guru"]),
            note="",
        )  # fmt: skip

    def _choose_then(self, request, queryset, *, action, form_class, title, apply, note):
        """An intermediate page, as Django's delete confirmation: pick the target for the
        selected tips, then the same action runs again with ``post`` and the choice."""
        if request.POST.get("post"):
            form = form_class(request.POST)
            if form.is_valid():
                apply(form.cleaned_data)
                return None  # back to the change list, with the message
        else:
            form = form_class()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "note": note,
            "form": form,
            "tips": queryset.select_related("category__topic", "guru"),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/tips/tip/choose_target.html", context)
