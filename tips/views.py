"""Reader pages: the network home, topic sites, categories, tips and gurus."""

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from comments.views import comment_section

from .models import Category, Guru, Tip, Topic

LATEST_TIPS = 8


def published_count():
    """Annotation: how many published tips a category holds."""
    return Count("tips", filter=Q(tips__in=Tip.objects.published()))


class HomeView(TemplateView):
    template_name = "tips/home.html"

    def get_context_data(self, **kwargs):
        topics = Topic.objects.annotate(
            tip_count=Count(
                "categories__tips", filter=Q(categories__tips__in=Tip.objects.published())
            )
        )
        return super().get_context_data(
            topics=topics,
            latest_tips=Tip.objects.published().for_listing()[:LATEST_TIPS],
            tip_of_the_day=Tip.objects.published().tip_of_the_day(),
            **kwargs,
        )


class TopicView(DetailView):
    model = Topic
    template_name = "tips/topic_detail.html"

    def get_queryset(self):
        return Topic.objects.select_related("featured_guru")

    def get_context_data(self, **kwargs):
        topic = self.object
        in_topic = Tip.objects.published().filter(category__topic=topic)
        return super().get_context_data(
            categories=topic.categories.annotate(tip_count=published_count()).order_by("name"),
            latest_tips=in_topic.for_listing()[:LATEST_TIPS],
            tip_of_the_day=in_topic.tip_of_the_day(),
            **kwargs,
        )


class CategoryView(ListView):
    template_name = "tips/category_detail.html"
    context_object_name = "tips"

    def get_paginate_by(self, queryset):
        return settings.TIPS_PER_PAGE

    def get_queryset(self):
        self.category = get_object_or_404(
            Category.objects.select_related("topic__featured_guru"),
            topic__slug=self.kwargs["topic"],
            slug=self.kwargs["slug"],
        )
        return Tip.objects.published().filter(category=self.category).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category,
            topic=self.category.topic,
            **kwargs,
        )


class TipView(DetailView):
    template_name = "tips/tip_detail.html"
    context_object_name = "tip"

    def get_queryset(self):
        tips = Tip.objects.select_related("category__topic__featured_guru", "guru")
        # Staff preview drafts and scheduled tips; everyone else sees only what is public.
        if not self.request.user.is_staff:
            tips = tips.published()
        return tips.filter(
            category__topic__slug=self.kwargs["topic"], category__slug=self.kwargs["category"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self.object.page_context(),
            **comment_section(self.request, self.object),
            **kwargs,
        )


class GuruView(DetailView):
    model = Guru
    template_name = "tips/guru_detail.html"

    def get_queryset(self):
        return Guru.objects.prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch("tips", queryset=Tip.objects.published().for_listing(), to_attr="public_tips"),
        )
