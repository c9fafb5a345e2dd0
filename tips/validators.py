import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

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
    """A category called "atom" would hide its topic's Atom feed (/feeds/<topic>/atom/), one
    called "tips" the list of all its topic's tips (/<topic>/tips/)."""
    if value == "tips":
        raise ValidationError(
            "“tips” is the address of all the topic’s tips; choose another slug.",
            code="reserved",
        )
    if value == "atom":
        raise ValidationError(
            "“atom” is the address of the topic’s Atom feed; choose another slug.",
            code="reserved",
        )


def validate_colour(value: str) -> None:
    """A colour as the social cards draw it: ``#`` and six hex digits."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValidationError(
            "Enter a colour as # and six hex digits, such as #2f5d62.", code="invalid_colour"
        )


# Sources are links readers follow: a javascript:, data: or ftp: address is never one.
WEB_LINK_MESSAGE = "Enter a web address that starts with http:// or https://."
validate_web_link = URLValidator(schemes=["http", "https"], message=WEB_LINK_MESSAGE)
