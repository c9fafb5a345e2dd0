from django import template

from ..models import Guru

register = template.Library()


@register.inclusion_tag("includes/guru_spotlight.html")
def guru_spotlight(topic=None):
    """The Guru Spotlight box: a topic's featured guru, or the network's guru of the day."""
    guru = topic.spotlight_guru() if topic else Guru.objects.spotlight()
    return {"guru": guru, "topic": topic}
