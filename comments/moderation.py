"""Which comments publish at once, which wait for an editor, and which are spam.

The rules follow WordPress's: a disallowed word anywhere marks spam; too many links or a word
from the moderation list holds the comment; otherwise an email address that already has an
approved comment is trusted, and a first comment waits for an editor.
"""

import re
from dataclasses import dataclass

from django.conf import settings

from tipsite.emails import normalise_email

from .models import Comment

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    status: str
    note: str = ""


def _word_in(words: list[str], texts: list[str]) -> str | None:
    haystack = "\n".join(texts).casefold()
    return next((word for word in words if word and word.casefold() in haystack), None)


def judge(*, name: str, email: str, url: str, body: str) -> Verdict:
    fields = [name, email, url, body]
    word = _word_in(settings.COMMENTS_DISALLOWED_WORDS, fields)
    if word:
        return Verdict(Comment.Status.SPAM, f"Disallowed word: {word}")

    links = len(LINK.findall(body))
    if settings.COMMENTS_HOLD_LINKS and links >= settings.COMMENTS_HOLD_LINKS:
        return Verdict(Comment.Status.PENDING, f"{links} links")
    word = _word_in(settings.COMMENTS_MODERATION_WORDS, fields)
    if word:
        return Verdict(Comment.Status.PENDING, f"Moderation word: {word}")

    policy = settings.COMMENTS_MODERATION
    if policy == "none":
        return Verdict(Comment.Status.APPROVED)
    if policy == "first" and Comment.objects.public().filter(email=normalise_email(email)).exists():
        return Verdict(Comment.Status.APPROVED, "Known commenter")
    return Verdict(Comment.Status.PENDING, "First comment" if policy == "first" else "")
