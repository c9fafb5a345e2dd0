"""Addresses of views, made without walking the URLconf for each one.

``reverse()`` matches every argument against the URLconf each time: on a page that links
twenty tips and names its forms' addresses, a tenth of the render. A slug or a number needs no
quoting in a path, so every address of a view with such arguments follows the pattern
``reverse()`` gives once (per view, kinds of arguments, URLconf and script prefix), with the
values put in its places. Anything else goes through ``reverse()`` and its checks.
"""

import functools
import re

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# What Django's <slug:...> converter takes.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Stand-ins reverse() is given in the arguments' places: a slug, or a number for <int:...>.
MARKS = re.compile(r"argmark(\d+)x|7000000000(\d\d)")
NUMBER_MARK = 700_000_000_000  # plus the argument's index: "7000000000" and two digits


def path(view_name: str, *args, **kwargs) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs)``, from the view's pattern."""
    values = args or tuple(kwargs.values())
    if not all(_plain(value) for value in values):
        return reverse(view_name, args=args, kwargs=kwargs)
    kinds = tuple(type(value) for value in values)
    names = None if args else tuple(kwargs)
    pieces = pattern(view_name, names, kinds)
    if pieces is None:  # the stand-ins did not fit: let reverse() say why
        return reverse(view_name, args=args, kwargs=kwargs)
    return fill(pieces, values)


def fill(pieces: tuple, values) -> str:
    """The address of a :func:`pattern` with ``values`` (by position) in its places."""
    parts = list(pieces)
    parts[1::2] = [str(values[index]) for index in pieces[1::2]]
    return "".join(parts)


def _plain(value) -> bool:
    if type(value) is int:
        return value >= 0
    return type(value) is str and SLUG.fullmatch(value) is not None


def pattern(view_name: str, names: tuple[str, ...] | None, kinds: tuple[type, ...]):
    """The address of ``view_name`` cut at its arguments (text, index, text, …), for these
    kinds of values by position (``names``: by keyword); None if such values cannot fit."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _pattern(view_name, names, kinds, get_script_prefix(), urlconf)


@functools.lru_cache(maxsize=256)
def _pattern(view_name, names, kinds, prefix: str, urlconf) -> tuple | None:
    marks = [
        NUMBER_MARK + index if kind is int else f"argmark{index}x"
        for index, kind in enumerate(kinds)
    ]
    try:
        if names is None:
            marked = reverse(view_name, args=marks)
        else:
            marked = reverse(view_name, kwargs=dict(zip(names, marks, strict=True)))
    except NoReverseMatch:
        return None
    pieces = MARKS.split(marked)
    # split() gives the text, then both groups of each mark (one of them None), and so on.
    parts = [pieces[0]]
    for at in range(1, len(pieces), 3):
        slug_mark, int_mark = pieces[at], pieces[at + 1]
        parts += [int(slug_mark if slug_mark is not None else int_mark), pieces[at + 2]]
    return tuple(parts)
