"""What a page tells link previews and search engines, in its <head> (includes/social_meta.html)."""

from urllib.parse import quote, urlencode

from django import template
from django.utils.safestring import mark_safe
from jinja2 import pass_context

from .. import seo
from .tips_tags import json_ld

register = template.Library()


@register.simple_tag(takes_context=True)
def social_image(context, obj) -> str:
    """The absolute address of ``obj``'s link-preview picture, 1200×630."""
    return seo.social_image(context["request"], obj)


@register.simple_tag(takes_context=True)
def structured_data(context) -> str:
    """The page's JSON-LD: a tip page brings its own; the listings' is made from what they show."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match else ""
    # A page that answers 404 under these addresses has none of their objects.
    topic, category, guru = (context.get(name) for name in ("topic", "category", "guru"))
    if view == "tips:home":
        blocks = seo.website_structured_data(request)
    elif view == "tips:topic" and topic:
        blocks = seo.collection_structured_data(request, topic, context.get("latest_tips", []))
    elif view == "tips:category" and category:
        page = context.get("page_obj")
        blocks = seo.collection_structured_data(
            request,
            category,
            context.get("tips", []),
            offset=page.start_index() - 1 if page else 0,
        )
    elif view == "tips:guru" and guru:
        blocks = seo.guru_structured_data(request, guru)
    else:
        blocks = context.get("structured_data", [])
    return mark_safe("".join(json_ld(block) for block in blocks))  # noqa: S308 (each escaped)


@register.simple_tag
def mailto_link(*, subject: str, body: str, link: str) -> str:
    """A ``mailto:`` address that opens the reader's own mail program with the page filled in."""
    fields = {"subject": subject, "body": f"{body}\n\n{link}"}
    return "mailto:?" + urlencode(fields, quote_via=quote)


JINJA_GLOBALS = {
    "social_image": pass_context(social_image),
    "page_structured_data": pass_context(structured_data),
    "mailto_link": mailto_link,
}
