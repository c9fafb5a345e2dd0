"""Readers' pages are Jinja2 templates (tipsite/jinja2.py): every one compiles, none leaks a
method or a missing value into the page, and the functions and filters they call are the apps'
template tag libraries' own."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import engines
from django.urls import set_script_prefix
from django.utils import timezone, translation

from tests.factories import make_rich_tip, make_tip
from tests.pages import EXPECTED_STATUS, PAGE_TYPES, add_reader_activity
from tips.templatetags import tips_tags
from tipsite import jinja2

JINJA2_DIR = Path(settings.BASE_DIR) / "templates" / "jinja2"
# What Python prints for a method named without its call, or a value Jinja2 found missing.
LEAKS = re.compile(r"bound method|<function |object at 0x|Undefined|jinja2\.")


def test_every_jinja2_template_compiles():
    env = engines["jinja2"].env
    names = [path.relative_to(JINJA2_DIR).as_posix() for path in JINJA2_DIR.rglob("*.html")]
    assert "base.html" in names
    assert "tips/tip_detail.html" in names
    for name in names:
        env.get_template(name)


@pytest.mark.django_db
def test_no_public_page_shows_a_method_or_a_missing_value_in_place_of_its_text(client):
    call_command("seed_demo", stdout=io.StringIO())
    add_reader_activity()
    make_rich_tip()
    for name, url in PAGE_TYPES.items():
        response = client.get(url)
        assert response.status_code == EXPECTED_STATUS.get(name, 200), name
        page = response.content.decode()
        assert not LEAKS.search(page), (name, LEAKS.search(page))


def test_the_libraries_jinja2_functions_are_the_template_tags_themselves():
    env = engines["jinja2"].env
    assert env.globals["crispy_fields"] is tips_tags.crispy_fields
    assert env.filters["datetime_attr"] is tips_tags.datetime_attr
    # Django's own filters with Django's meaning, not Jinja2's namesakes.
    assert env.from_string("{{ 2|pluralize }} {{ 1|pluralize }}").render() == "s "


@pytest.mark.django_db
def test_dates_are_shown_in_the_sites_time_zone_as_djangos_date_filter_shows_them(settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    moment = timezone.now().replace(hour=23, minute=30)  # UTC: the next day in Auckland
    rendered = (
        engines["jinja2"].from_string('{{ moment|date("Y-m-d H:i") }}').render({"moment": moment})
    )
    assert rendered == timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    assert rendered != moment.strftime("%Y-%m-%d %H:%M")
    tip = make_tip(publish_at=moment - datetime.timedelta(days=1))
    page = engines["jinja2"].from_string('{{ tip.publish_at|date("F j, Y") }}').render({"tip": tip})
    assert page == engines["django"].from_string('{{ tip.publish_at|date:"F j, Y" }}').render(
        {"tip": tip}
    )


def test_addresses_without_arguments_follow_the_script_prefix_they_are_served_under():
    render = (
        engines["jinja2"]
        .from_string("{{ url('tips:home') }} {{ url('tips:topic', 'cooking') }}")
        .render
    )
    assert render() == "/ /cooking/"
    set_script_prefix("/tipsite/")
    try:
        assert render() == "/tipsite/ /tipsite/cooking/"
    finally:
        set_script_prefix("/")
    assert render() == "/ /cooking/"


def test_a_day_and_a_clock_formatted_once_read_as_djangos_filter_at_every_minute():
    render = engines["jinja2"].from_string("{{ moment|date(format) }}").render
    django_render = engines["django"].from_string("{{ moment|date:format }}").render
    midnight = timezone.localtime().replace(month=7, day=9, hour=0, minute=0, second=7)
    formats = ("F j, Y, P", "M j, Y, P", "Y-m-d H:i", "g:i A", "P", "F j, Y, H:i:s", "j F f a")
    for minutes in (0, 1, 59, 12 * 60, 12 * 60 + 5, 13 * 60 + 30, 23 * 60 + 59):
        moment = midnight + datetime.timedelta(minutes=minutes)
        for format in formats:
            context = {"moment": moment, "format": format}
            assert render(context) == django_render(context), (format, minutes)
            with translation.override("de"):
                assert render(context) == django_render(context), (format, minutes)
    noon = {"moment": midnight.replace(hour=12), "format": "F j, Y, P"}
    assert render(noon) == f"July 9, {midnight.year}, noon"
    # The clock of 4:30 p.m. is formatted once for every day it is shown on.
    jinja2._clock.cache_clear()
    for day in (1, 2, 3):
        render({"moment": midnight.replace(day=day, hour=16, minute=30), "format": "F j, Y, P"})
    assert jinja2._clock.cache_info().misses == 1


def test_a_day_formatted_once_still_reads_as_djangos_filter_in_every_language_and_hour():
    render = engines["jinja2"].from_string("{{ moment|date(format) }}").render
    django_render = engines["django"].from_string("{{ moment|date:format }}").render
    base = timezone.now().replace(month=3, day=4, hour=1)
    for hours in (0, 5, 13, 22):
        moment = base + datetime.timedelta(hours=hours)
        for format in ("M j, Y", "F j, Y", "Y-m-d", "F j, Y, P", "H:i", r"j \o\f F"):
            context = {"moment": moment, "format": format}
            assert render(context) == django_render(context), (format, hours)
            with translation.override("fr"):
                assert render(context) == django_render(context), (format, hours)
    with translation.override("fr"):
        assert "mars" in render({"moment": base, "format": "F j, Y"})


def test_static_addresses_are_looked_up_once_and_follow_the_settings(settings):
    render = engines["jinja2"].from_string("{{ static('css/site.css') }}").render
    jinja2.static.cache_clear()
    assert render() == render() == f"{settings.STATIC_URL}css/site.css"
    assert jinja2.static.cache_info().misses == 1
    settings.STATIC_URL = "/assets/"
    assert render() == "/assets/css/site.css"
