"""Addresses of reader pages, made without walking the URLconf for each one."""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What Django's <slug:...> converter takes; anything else goes through reverse() and its checks.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MARK = re.compile(r"slugmark(\d+)x")


def slug_path(view_name: str, **slugs: str) -> str:
    """``reverse(view_name, kwargs=slugs)`` for a view whose arguments are all slugs.

    A listing links twenty tips and names them again in its structured data, and reverse()
    matches every argument against the URLconf each time: a tenth of a listing's render. A
    slug needs no quoting in a path, so every such address follows the pattern reverse() gives
    once per view (and URLconf and script prefix), with the slugs put in its places.
    """
    return slug_paths(view_name, *slugs)(**slugs)


def slug_paths(view_name: str, *names: str):
    """A function making :func:`slug_path`'s addresses of ``view_name`` from ``names``' slugs,
    for many addresses at once (each a few string joins)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    pieces = _pattern(view_name, names, get_script_prefix(), urlconf)

    def path(**slugs: str) -> str:
        if not all(SLUG.fullmatch(str(value)) for value in slugs.values()):
            return reverse(view_name, kwargs=slugs)
        parts = list(pieces)
        parts[1::2] = [str(slugs[names[index]]) for index in pieces[1::2]]
        return "".join(parts)

    return path


@functools.lru_cache(maxsize=64)
def _pattern(view_name: str, names: tuple[str, ...], prefix: str, urlconf) -> tuple:
    """The address of ``view_name`` cut at its arguments: text, argument index, text, …"""
    marked = reverse(
        view_name, kwargs={name: f"slugmark{index}x" for index, name in enumerate(names)}
    )
    pieces = MARK.split(marked)
    pieces[1::2] = [int(index) for index in pieces[1::2]]
    return tuple(pieces)
