"""The public page types every quality gate checks. Later features add their pages here."""

SEED_TIP = "/massage-therapy/massage-therapy-techniques/neuromuscular-massage-therapy/"

PAGE_TYPES = {
    "home": "/",
    "topic": "/massage-therapy/",
    "topic-tips": "/massage-therapy/tips/?sort=helpful",
    "category": "/massage-therapy/massage-therapy-techniques/",
    "category-helpful": "/massage-therapy/massage-therapy-techniques/?sort=helpful",
    "tip": SEED_TIP,
    # Made by tests.factories.make_rich_tip: a body with headings, an image, a list and a table.
    "tip-rich": "/massage-therapy/massage-therapy-techniques/stones-step-by-step/",
    "guru": "/gurus/joe-wallace/",
    "request-form": "/request-a-tip/?category=massage-therapy-techniques",
    "answered-requests": "/requests/answered/",
    "search": "/search/?q=massage",
    "search-empty": "/search/?q=zebra+grooming",
    "search-no-words": "/search/?q=*",
    "not-found": "/no-such-topic/at/all/",
    "not-found-suggestions": "/massage-therapy/neuromuscular-massage-therapi/",
}

EXPECTED_STATUS = {"not-found": 404, "not-found-suggestions": 404}


def add_reader_activity() -> None:
    """What readers leave on the demo network: approved comments on the seed tip (one with a
    website, one of two paragraphs) and votes, so the checked pages show comments, comment
    counts, "found it helpful" shares and the topic's most helpful tips as they really are."""
    from comments.services import tips_refresh_comment_counts
    from tests.factories import make_comment
    from tips.models import Tip

    tip = Tip.objects.get(slug="neuromuscular-massage-therapy")
    make_comment(tip=tip, name="Maya Reader", url="https://maya.example/",
                 body="This helped my sore shoulders a lot, thank you.")  # fmt: skip
    make_comment(tip=tip, name="Sam", body="Does it hurt?\n\nMine was gentle and worked well.")
    tips_refresh_comment_counts(tip_ids=[tip.pk])
    Tip.objects.filter(pk=tip.pk).update(helpful_yes=9, helpful_no=1)
    Tip.objects.filter(slug="trigger-point-therapy").update(helpful_yes=4, helpful_no=2)
