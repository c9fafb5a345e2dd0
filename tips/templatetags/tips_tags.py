import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..models import Guru

register = template.Library()

# What json_script escapes, so the data can never close its <script> element.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> str:
    """Structured data as a JSON-LD script element: a data block, never run, CSP-safe."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.inclusion_tag("includes/guru_spotlight.html")
def guru_spotlight(topic=None):
    """The Guru Spotlight box: a topic's featured guru, or the network's guru of the day."""
    guru = topic.spotlight_guru() if topic else Guru.objects.spotlight()
    return {"guru": guru, "topic": topic}


@register.filter
def datetime_attr(value) -> str:
    """A ``datetime`` attribute of ``<time>``: local time to the second, as HTML allows.

    Django's ``date:"c"`` writes microseconds, and HTML takes at most three fractional digits.
    """
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")
