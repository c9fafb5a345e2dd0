import hashlib
import json

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import ModelChoiceField
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from tipsite.antispam import TIMESTAMP_FIELD, issue_token
from tipsite.jinja2 import inclusion
from tipsite.pagecache import remember

from ..models import Guru

register = template.Library()

# What json_script escapes, so the data can never close its <script> element.
JSON_ESCAPES = ((">", "\\u003E"), ("<", "\\u003C"), ("&", "\\u0026"))


@register.filter
def json_ld(data) -> str:
    """Structured data as a JSON-LD script element: a data block, never run, CSP-safe."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Three passes of str.replace: str.translate with a mapping looks up every character in
    # Python, 50 times slower (0.4 ms for a listing's 3 KB of JSON-LD).
    for character, escaped in JSON_ESCAPES:
        text = text.replace(character, escaped)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.inclusion_tag("includes/guru_spotlight.html")
def guru_spotlight(topic=None):
    """The Guru Spotlight box: a topic's featured guru, or the network's guru of the day.

    The same on every page of a topic all day: picked once per content version (a pick among
    the topic's gurus counts them).
    """
    if topic is not None and topic.featured_guru_id:
        return {"guru": topic.featured_guru, "topic": topic}
    scope = f"topic-{topic.pk}" if topic else "network"
    (guru,) = remember(
        f"tips:spotlight:{scope}:{timezone.localdate().isoformat()}",
        # In a tuple, so that "no guru" is remembered too.
        lambda: (topic.spotlight_guru() if topic else Guru.objects.spotlight(),),
    )
    return {"guru": guru, "topic": topic}


@register.filter
def datetime_attr(value) -> str:
    """A ``datetime`` attribute of ``<time>``: local time to the second, as HTML allows.

    Django's ``date:"c"`` writes microseconds, and HTML takes at most three fractional digits.
    """
    if not value:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


@register.simple_tag
def crispy_fields(form, *names: str) -> SafeString:
    """``form``'s fields ``names`` rendered by crispy, as ``|as_crispy_field`` renders each.

    A form nobody has filled in renders the same on every page, whatever the content: its
    fields are rendered once per process, as templates are compiled once; a hidden field the
    page fills in (a topic's follow form names its topic) once per value. A form with data,
    errors or a reader's initial values renders afresh, and so does a visible choice of rows
    (a guru's topics to follow), which differs from page to page.
    """

    def render() -> SafeString:
        return mark_safe("".join(as_crispy_field(form[name]) for name in names))  # noqa: S308

    given = {name: form.initial[name] for name in names if form.initial.get(name)}
    if (
        form.is_bound
        or any(not form[name].is_hidden for name in given)
        or any(_reads_rows(form[name]) for name in names)
    ):
        return render()
    form_class = type(form)
    key = f"{form_class.__module__}.{form_class.__qualname__}:{form.prefix}:{','.join(names)}"
    if given:
        key += ":" + hashlib.sha256(repr(sorted(given.items())).encode()).hexdigest()
    key += f":{get_language()}"
    html = _code_only_fields.get(key)
    if html is None:
        if len(_code_only_fields) >= CODE_ONLY_FIELDS:
            _code_only_fields.clear()
        html = _code_only_fields[key] = render()
    return html


# Unfilled fields whose HTML the code alone decides, by form, fields, hidden values and
# language (a topic's follow form per topic): a few hundred at most.
_code_only_fields: dict[str, SafeString] = {}
CODE_ONLY_FIELDS = 1024


def _reads_rows(field) -> bool:
    """Whether ``field`` shows rows of the database: a choice of model instances, unhidden."""
    return isinstance(field.field, ModelChoiceField) and not field.is_hidden


# A protected form's fields as nobody has filled them in, by form, prefix and id format, with a
# mark where the signed time goes: they differ by nothing else, and never change while the
# code runs.
_unfilled_protected_fields: dict[tuple, str] = {}
SIGNED_TIME_MARK = "\x00signed-time\x00"


@register.simple_tag
def protected_fields(form) -> SafeString:
    """A protected form's honeypot and signed time (tipsite.antispam), as
    ``includes/protected_fields.html`` renders them.

    That HTML is made once per form class (and prefix), and the time the form is shown put
    in: now, whenever the form was made (it may be shared, ``tipsite.antispam.blank_form``).
    Four forms on a tip page would otherwise render eight widgets through templates.
    """
    if form.is_bound:  # the honeypot keeps what was typed in it
        return mark_safe(render_to_string("includes/protected_fields.html", {"form": form}))  # noqa: S308
    key = (type(form), form.prefix, form.auto_id)
    html = _unfilled_protected_fields.get(key)
    if html is None:
        rendered = render_to_string("includes/protected_fields.html", {"form": form})
        made_with = str(form[TIMESTAMP_FIELD].value())
        html = _unfilled_protected_fields[key] = rendered.replace(made_with, SIGNED_TIME_MARK)
    shown = issue_token(form.antispam_scope)
    return mark_safe(html.replace(SIGNED_TIME_MARK, conditional_escape(shown)))  # noqa: S308


JINJA_GLOBALS = {
    "guru_spotlight": inclusion("includes/guru_spotlight.html", guru_spotlight),
    "crispy_fields": crispy_fields,
    "protected_fields": protected_fields,
}
JINJA_FILTERS = {"datetime_attr": datetime_attr, "json_ld": json_ld}
