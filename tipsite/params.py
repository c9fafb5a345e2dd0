"""Reading query-string parameters that only ever hold a slug."""

import re

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def slug_param(params, name: str) -> str:
    """A query parameter that can only be a slug; anything else (NUL bytes too) becomes ""."""
    value = params.get(name, "")
    return value if SLUG.fullmatch(value) else ""
