"""The comments part of a tip page, joined to it in the template (the tips app knows nothing of
comments, as in django-contrib-comments)."""

from django import template
from jinja2 import pass_context

from ..sections import comment_section as section_for

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, tip) -> dict:
    """One page of the tip's approved comments, the visitor's held ones and the comment form
    (the one that came back with errors, when the page re-renders it)."""
    return section_for(context["request"], tip, context.get("comment_form"))


JINJA_GLOBALS = {"comment_section": pass_context(comment_section)}
