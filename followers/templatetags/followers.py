"""The "follow by e-mail" forms, joined to topic, guru and tip pages in their templates (the tips
and comments apps know nothing of followers)."""

from django import template

from tips.models import Topic
from tipsite.antispam import blank_form
from tipsite.jinja2 import inclusion

from ..forms import FollowTipForm, FollowTopicForm

register = template.Library()


@register.inclusion_tag("followers/includes/subscribe.html")
def follow_topics(topics, heading: str = "") -> dict:
    """A topic letter's form: for one topic, or a choice of ``topics`` (a guru's)."""
    if isinstance(topics, Topic):
        form = blank_form(FollowTopicForm, key=topics.slug, topic=topics, prefix="follow-topic")
        heading = heading or f"Get new {topics.name} tips by e-mail"
    else:
        form = FollowTopicForm(choices=topics, prefix="follow-topic") if topics else None
    return {"kind": "topic", "heading": heading, "form": form}


@register.inclusion_tag("followers/includes/subscribe.html")
def follow_tip(tip) -> dict:
    """Under the comment form: e-mail me when someone else comments on this tip."""
    return {"kind": "tip", "tip": tip, "form": blank_form(FollowTipForm, prefix="follow-tip")}


JINJA_GLOBALS = {
    "follow_topics": inclusion("followers/includes/subscribe.html", follow_topics),
    "follow_tip": inclusion("followers/includes/subscribe.html", follow_tip),
}
