"""The public page types every quality gate checks. Later features add their pages here."""

SEED_TIP = "/massage-therapy/massage-therapy-techniques/neuromuscular-massage-therapy/"

PAGE_TYPES = {
    "home": "/",
    "topic": "/massage-therapy/",
    "category": "/massage-therapy/massage-therapy-techniques/",
    "tip": SEED_TIP,
    "guru": "/gurus/joe-wallace/",
    "request-form": "/request-a-tip/?category=massage-therapy-techniques",
    "answered-requests": "/requests/answered/",
    "search": "/search/?q=massage",
    "search-empty": "/search/?q=zebra+grooming",
    "not-found": "/no-such-topic/at/all/",
}

EXPECTED_STATUS = {"not-found": 404}
