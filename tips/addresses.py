"""Addresses of reader pages, made without walking the URLconf for each one."""

from django.urls import reverse

from tipsite.addresses import SLUG, fill, pattern


def slug_path(view_name: str, **slugs: str) -> str:
    """``reverse(view_name, kwargs=slugs)`` for a view whose arguments are all slugs."""
    return slug_paths(view_name, *slugs)(**slugs)


def slug_paths(view_name: str, *names: str):
    """A function making :func:`slug_path`'s addresses of ``view_name`` from ``names``' slugs,
    for many addresses at once (each a few string joins: tipsite.addresses says why)."""
    pieces = pattern(view_name, names, (str,) * len(names))

    def path(**slugs: str) -> str:
        if pieces is None or not all(SLUG.fullmatch(str(value)) for value in slugs.values()):
            return reverse(view_name, kwargs=slugs)
        return fill(pieces, [slugs[name] for name in names])

    return path
