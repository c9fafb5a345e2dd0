"""Everything a tip page shows, for the page and for its forms when they come back with errors."""

from django.http import HttpRequest

from tipsite.antispam import blank_form

from . import search
from .forms import VoteForm
from .models import Tip, Vote
from .seo import tip_structured_data
from .visitors import visitor_key, visitor_token


def tip_page_context(request: HttpRequest, tip: Tip, *, vote_form=None) -> dict:
    """What the tip page shows; its comments join it in the template (comments/templatetags)."""
    token = visitor_token(request)
    vote = Vote.objects.filter(tip=tip, visitor=visitor_key(token)).first() if token else None
    return {
        "tip": tip,
        "category": tip.category,
        "topic": tip.category.topic,
        "related_tips": search.related(tip),
        "structured_data": tip_structured_data(request, tip),
        "visitor_vote": vote,
        "vote_form": vote_form
        or (VoteForm(initial={"reason": vote.reason}) if vote else blank_form(VoteForm)),
        "ask_reason": bool(vote_form and vote_form.errors) or bool(vote and not vote.helpful),
    }
