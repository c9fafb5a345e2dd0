"""What search engines and link previews read: canonical addresses and structured data."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .models import Tip


def canonical_url(request: HttpRequest) -> str:
    """The page's one address: its path, plus the page number of a paginated listing."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


def tip_structured_data(request: HttpRequest, tip: Tip) -> list[dict]:
    """schema.org Article and BreadcrumbList for a tip page (JSON-LD)."""
    absolute = request.build_absolute_uri
    topic, category = tip.category.topic, tip.category
    article = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": tip.title,
        "description": tip.question,
        "datePublished": tip.publish_at.isoformat(),
        "dateModified": tip.updated_at.isoformat(),
        "mainEntityOfPage": absolute(tip.get_absolute_url()),
        "articleSection": category.name,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    if tip.guru:
        article["author"] = {
            "@type": "Person",
            "name": tip.guru.name,
            "url": absolute(tip.guru.get_absolute_url()),
        }
    if tip.image:
        article["image"] = absolute(tip.image.url)
    trail = [
        ("Home", reverse("tips:home")),
        (topic.name, topic.get_absolute_url()),
        (category.name, category.get_absolute_url()),
        (tip.title, tip.get_absolute_url()),
    ]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute(url)}
            for n, (name, url) in enumerate(trail, start=1)
        ],
    }
    return [article, breadcrumbs]
