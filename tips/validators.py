from django.core.exceptions import ValidationError

# Topic slugs sit at the root of the site, next to these fixed addresses.
RESERVED_SLUGS = frozenset(
    {
        "admin", "accounts", "feeds", "forms", "gurus", "healthz", "latest", "media",
        "request-a-tip", "requests", "robots.txt", "search", "sitemap.xml", "static", "tips",
    }
)  # fmt: skip


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "“%(value)s” is a fixed address of the site; choose another slug.",
            code="reserved",
            params={"value": value},
        )


def validate_category_slug(value: str) -> None:
    """A category called "atom" would hide its topic's Atom feed (/feeds/<topic>/atom/)."""
    if value == "atom":
        raise ValidationError(
            "“atom” is the address of the topic’s Atom feed; choose another slug.",
            code="reserved",
        )
