"""Finding published tips by text. Every caller (search page, request suggestions) comes here."""

import re

from django.db.models import Case, Q, Value, When

from .models import Tip

WORD = re.compile(r"\w{3,}", re.UNICODE)
MAX_WORDS = 8


def query_words(query: str) -> list[str]:
    """The searchable words of any text a visitor typed: punctuation and operators fall away."""
    return list(dict.fromkeys(word.casefold() for word in WORD.findall(query)))[:MAX_WORDS]


def suggest(query: str, *, limit: int = 5):
    """Published tips whose title or question share words with ``query``, best match first."""
    words = query_words(query)
    if not words:
        return Tip.objects.none()
    score = sum(
        (
            Case(When(title__icontains=word, then=Value(2)), default=Value(0))
            + Case(When(question__icontains=word, then=Value(1)), default=Value(0))
            for word in words
        ),
        Value(0),
    )
    matches = Q()
    for word in words:
        matches |= Q(title__icontains=word) | Q(question__icontains=word)
    return (
        Tip.objects.published()
        .filter(matches)
        .annotate(score=score)
        .order_by("-score", "-publish_at")
        .select_related("category__topic")[:limit]
    )
