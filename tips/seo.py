"""What search engines and link previews read: canonical addresses and structured data."""

from django.conf import settings
from django.http import HttpRequest

from tipsite import addresses
from tipsite.jinja2 import static

from . import social
from .models import Category, Guru, Tip, Topic

SCHEMA = "https://schema.org"
# static/img/logo.png: search engines ask for a logo of at least 112×112.
LOGO = ("img/logo.png", 512, 512)


def canonical_url(request: HttpRequest) -> str:
    """The page's one address: its path, plus the page number of a paginated listing."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


def social_image(request: HttpRequest, obj) -> str:
    """The absolute address of a page's link-preview picture (tips/social.py)."""
    return request.build_absolute_uri(social.card_for(obj).get_absolute_url())


def publisher(request: HttpRequest) -> dict:
    path, width, height = LOGO
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri(addresses.path("tips:home")),
        "logo": {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(static(path)),
            "width": width,
            "height": height,
        },
    }


def person(request: HttpRequest, guru: Guru) -> dict:
    data = {
        "@type": "Person",
        "name": guru.name,
        "url": request.build_absolute_uri(guru.get_absolute_url()),
    }
    if guru.credentials:
        data["jobTitle"] = guru.credentials
    return data


def tip_structured_data(request: HttpRequest, tip: Tip) -> list[dict]:
    """schema.org Article and BreadcrumbList for a tip page (JSON-LD).

    ``dateModified`` is the last change to what readers read (``Tip.modified_at``), the date the
    page shows as "Updated"; saves that change nothing readers read leave it alone.
    """
    absolute = request.build_absolute_uri
    topic, category = tip.category.topic, tip.category
    article = {
        "@context": SCHEMA,
        "@type": "Article",
        "headline": tip.title,
        "description": tip.question,
        "image": [social_image(request, tip)],
        "datePublished": tip.publish_at.isoformat(),
        "dateModified": tip.modified_at.isoformat(),
        "mainEntityOfPage": absolute(tip.get_absolute_url()),
        "articleSection": category.name,
        "publisher": publisher(request),
    }
    if tip.guru:
        article["author"] = person(request, tip.guru)
    else:
        article["author"] = {"@type": "Organization", "name": settings.SITE_NAME,
                             "url": absolute(addresses.path("tips:home"))}  # fmt: skip
    trail = [
        ("Home", addresses.path("tips:home")),
        (topic.name, topic.get_absolute_url()),
        (category.name, category.get_absolute_url()),
        (tip.title, tip.get_absolute_url()),
    ]
    return [article, breadcrumb_list(request, trail)]


def breadcrumb_list(request: HttpRequest, trail: list[tuple[str, str]]) -> dict:
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name,
             "item": request.build_absolute_uri(url)}
            for n, (name, url) in enumerate(trail, start=1)
        ],
    }  # fmt: skip


def website_structured_data(request: HttpRequest) -> list[dict]:
    """The network as a WebSite whose search box search engines may offer."""
    search = request.build_absolute_uri(addresses.path("tips:search"))
    return [
        {
            "@context": SCHEMA,
            "@type": "WebSite",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri(addresses.path("tips:home")),
            "publisher": publisher(request),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": f"{search}?q={{search_term_string}}",
                },
                "query-input": "required name=search_term_string",
            },
        }
    ]


def collection_structured_data(
    request: HttpRequest, place: Topic | Category, tips, *, offset: int = 0
) -> list[dict]:
    """A topic or category page: a CollectionPage of the tips it lists, in the order shown."""
    absolute = request.build_absolute_uri
    if isinstance(place, Category):
        name, description = f"{place.name} — {place.topic.name} Tips", place.description
        home = addresses.path("tips:home")
        trail = [("Home", home), (place.topic.name, place.topic.get_absolute_url()),
                 (place.name, place.get_absolute_url())]  # fmt: skip
    else:
        name, description = f"{place.name} Tip Site", place.tagline or place.description
        trail = [("Home", addresses.path("tips:home")), (place.name, place.get_absolute_url())]
    page = {
        "@context": SCHEMA,
        "@type": "CollectionPage",
        "name": name,
        "url": absolute(place.get_absolute_url()),
        "image": social_image(request, place),
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME,
                     "url": absolute(addresses.path("tips:home"))},
        "mainEntity": {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "position": offset + n, "name": tip.title,
                 "url": absolute(tip.get_absolute_url())}
                for n, tip in enumerate(tips, start=1)
            ],
        },
    }  # fmt: skip
    if description:
        page["description"] = description
    return [page, breadcrumb_list(request, trail)]


def guru_structured_data(request: HttpRequest, guru: Guru) -> list[dict]:
    """A guru's page: a ProfilePage about the Person."""
    author = person(request, guru)
    author["image"] = (
        request.build_absolute_uri(guru.photo.url) if guru.photo else social_image(request, guru)
    )
    if guru.bio:
        author["description"] = guru.bio
    if guru.website:
        author["sameAs"] = [guru.website]
    return [{"@context": SCHEMA, "@type": "ProfilePage", "mainEntity": author}]
