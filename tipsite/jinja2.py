"""The Jinja2 environment of the readers' pages (templates/jinja2/).

Readers' pages are what a crawler walks one by one, so their templates are what a page nobody
asked for recently costs most: Django's template engine resolved ~60 nodes per comment and
card, about half of a crawled tip page's CPU (bench/results/render-profile.md). Jinja2 compiles
a template to Python once. The admin, e-mails and the forms' own widgets (crispy) stay Django
templates.

The environment imports no app. The functions and filters a page calls come from the apps'
template tag libraries, which serve both engines: a library lists the ones Jinja2 templates
may use in ``JINJA_GLOBALS`` and ``JINJA_FILTERS``, found as Django finds the libraries.
"""

import datetime
import functools
import re
from importlib import import_module
from types import SimpleNamespace

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.template import defaultfilters, defaulttags
from django.template.backends.django import get_installed_libraries
from django.template.backends.utils import csrf_input
from django.templatetags.static import static as static_address
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from jinja2 import ChainableUndefined, Environment, pass_context
from markupsafe import Markup

from .addresses import path


def url(name: str, *args, **kwargs) -> str:
    """``{% url %}``: the address of the view ``name`` (tipsite.addresses)."""
    return path(name, *args, **kwargs)


@functools.lru_cache(maxsize=512)
def static(path: str) -> str:
    """``{% static %}``: a static file's address, looked up once per path (in the manifest of
    hashed names, in production: ten look-ups a page)."""
    return static_address(path)


@receiver(setting_changed)
def _forget_static_addresses(setting, **kwargs) -> None:
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS"}:
        static.cache_clear()


@pass_context
def querystring(context, query_dict=None, **kwargs) -> str:
    """``{% querystring %}``: the request's query string with ``kwargs`` set (None removes)."""
    return defaulttags.querystring(
        SimpleNamespace(request=context["request"]), query_dict, **kwargs
    )


def date(value, arg=None) -> str:
    """``|date``: Django's filter, given the value in the current time zone as Django's engine
    gives it (``expects_localtime``).

    Django's formatter takes ten times what ``strftime`` does, and what a page shows changes
    far less often than its moments do. A format that shows no time of day (a card's "Mar 4,
    2026") is the same for every moment of a day: such a day is formatted once per language
    (three years of tips are some 1,100 days). One that ends with the time to the minute (a
    comment's "March 4, 2026, 4:30 p.m.") is that day's part and a clock's, each formatted
    once (1,440 minutes in a day).
    """
    value = template_localtime(value)
    if isinstance(value, datetime.datetime) and arg:
        if not TIME_OF_DAY.search(arg):
            return _day(value.date(), arg, get_language())
        if split := DAY_THEN_CLOCK.fullmatch(arg):
            day, clock = split.groups()
            language = get_language()
            clock = _clock(value.hour, value.minute, clock, language)
            return (_day(value.date(), day, language) if day else "") + clock
    return defaultfilters.date(value, arg)


# What in a format of Django's |date reads more than the day: the time, the zone, or an escape.
TIME_OF_DAY = re.compile(r"[aABcefgGhHiIOPrsTuUZ\\]")
# A format of the day, then of the hour and minute alone ("F j, Y, P": "F j, Y" and ", P").
DAY_THEN_CLOCK = re.compile(r"([^aABcefgGhHiIOPrsTuUZ\\]*?)((?:[aAfgGhHiP]|[^A-Za-z\\])*)")


@functools.lru_cache(maxsize=4096)
def _day(day: datetime.date, arg: str, language: str | None) -> str:
    return defaultfilters.date(day, arg)


@functools.lru_cache(maxsize=4096)
def _clock(hour: int, minute: int, arg: str, language: str | None) -> str:
    return defaultfilters.date(datetime.time(hour, minute), arg)


class _CsrfInput:
    """A page's CSRF field, made at its first form and repeated in the others, as Django's
    engine gives every ``{% csrf_token %}`` of a page the one token. (Django's Jinja2 backend
    makes a new masked token for each form: four random strings on a tip page.)

    A page rendered for the page cache (``tipsite.pagecache``) is kept without a token, for
    every reader's script to fill in its own: it gets the field empty, and no token is made.
    """

    def __init__(self, request: HttpRequest):
        self.request, self.html = request, None

    def __html__(self) -> str:
        if self.html is None:
            for_everyone = getattr(self.request, "page_cache_lookup", None) is not None
            self.html = UNFILLED_CSRF_INPUT if for_everyone else csrf_input(self.request)
        return self.html

    __str__ = __html__


UNFILLED_CSRF_INPUT = Markup('<input type="hidden" name="csrfmiddlewaretoken" value="">')


def csrf_field(request: HttpRequest) -> dict:
    """A context processor of the readers' pages: ``csrf_input``, made once per page."""
    return {"csrf_input": _CsrfInput(request)}


def inclusion(template_name: str, function):
    """``function``, which returns a context as an inclusion tag does, as a global that renders
    ``template_name`` with it on top of the page's context (its request and CSRF field too)."""

    @pass_context
    def render(context, *args, **kwargs) -> Markup:
        template = context.environment.get_template(template_name)
        return Markup(template.render({**context.get_all(), **function(*args, **kwargs)}))  # noqa: S704

    return render


FILTERS = {
    # Django's filters that the pages use, with Django's meaning.
    "date": date,
    "linebreaks": defaultfilters.linebreaks_filter,
    "linebreaksbr": defaultfilters.linebreaksbr,
    "pluralize": defaultfilters.pluralize,
    "truncatechars": defaultfilters.truncatechars,
    "truncatewords": defaultfilters.truncatewords,
    "urlencode": defaultfilters.urlencode,
    "intcomma": intcomma,
    # The forms' fields, rendered by crispy's Bootstrap 5 templates.
    "as_crispy_field": as_crispy_field,
}


def environment(**options) -> Environment:
    # Escaped always; and as lenient as Django's templates, in development too: a missing
    # value, or a part of one, is empty (Django would have Jinja2 print it under DEBUG).
    env = Environment(**{**options, "autoescape": True, "undefined": ChainableUndefined})  # noqa: S701
    env.globals.update(url=url, static=static, querystring=querystring)
    env.filters.update(FILTERS)
    for library in get_installed_libraries().values():
        module = import_module(library)
        env.globals.update(getattr(module, "JINJA_GLOBALS", {}))
        env.filters.update(getattr(module, "JINJA_FILTERS", {}))
    return env
