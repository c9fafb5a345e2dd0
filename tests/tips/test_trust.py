"""What a reader can trust a tip by: its sources, the topic's notice, the guru's credentials and
what other readers thought of it."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_category, make_guru, make_tip, make_topic
from tests.pages import SEED_TIP
from tests.tips.test_seo import admin_tip_data
from tips.models import Guru, Tip, TipSource, Topic

pytestmark = pytest.mark.django_db

WEB_LINK_MESSAGE = "Enter a web address that starts with http:// or https://."


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def sources_list(html: str) -> list[tuple[str, str]]:
    section = re.search(r'<section class="tip__sources".*?</section>', html, re.S)
    assert section, "no sources section"
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', section.group(0))


def test_sources_are_a_numbered_list_under_the_body_in_the_editors_order(client):
    tip = make_tip(body="The answer.")
    TipSource.objects.create(tip=tip, position=2, title="Second", url="https://b.example/")
    TipSource.objects.create(tip=tip, position=1, title="First", url="https://a.example/")
    TipSource.objects.create(tip=tip, position=2, title="Third", url="http://c.example/x")
    html = client.get(tip.get_absolute_url()).content.decode()

    assert sources_list(html) == [
        ("https://a.example/", "First"), ("https://b.example/", "Second"),
        ("http://c.example/x", "Third"),
    ]  # fmt: skip
    assert '<ol class="tip__sources-list">' in html
    assert html.index("The answer.") < html.index('<section class="tip__sources"')


def test_a_tip_without_sources_shows_no_sources_heading(client):
    html = client.get(make_tip().get_absolute_url()).content.decode()
    assert "tip__sources" not in html


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://files.example.com/study.pdf", "data:text/html,hi"]
)
def test_a_source_link_that_is_not_http_is_refused_by_its_field(editor_client, link):
    """The message stands next to the field, and what the editor typed is kept."""
    tip = make_tip()
    data = admin_tip_data(tip) | {
        "sources-TOTAL_FORMS": "1", "sources-INITIAL_FORMS": "0", "sources-0-position": "1",
        "sources-0-title": "A study", "sources-0-url": link,
    }  # fmt: skip
    response = editor_client.post(f"/admin/tips/tip/{tip.pk}/change/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(WEB_LINK_MESSAGE) == 1
    formsets = {
        inline.formset.prefix: inline.formset
        for inline in response.context["inline_admin_formsets"]
    }
    errors = formsets["sources"].errors
    assert errors == [{"url": [WEB_LINK_MESSAGE]}]
    assert 'value="A study"' in html
    assert not TipSource.objects.exists()


def test_an_editor_adds_sources_in_the_admin_and_readers_see_them(editor_client, client):
    tip = make_tip()
    data = admin_tip_data(tip) | {
        "sources-TOTAL_FORMS": "2", "sources-INITIAL_FORMS": "0",
        "sources-0-position": "2", "sources-0-title": "Mayo Clinic",
        "sources-0-url": "https://www.mayoclinic.org/",
        "sources-1-position": "1", "sources-1-title": "NCCIH",
        "sources-1-url": "https://www.nccih.nih.gov/",
    }  # fmt: skip
    assert editor_client.post(f"/admin/tips/tip/{tip.pk}/change/", data).status_code == 302
    html = client.get(tip.get_absolute_url()).content.decode()
    assert [title for _, title in sources_list(html)] == ["NCCIH", "Mayo Clinic"]


def test_the_tip_page_costs_the_same_queries_with_many_sources(client):
    """The sources come with the tip's one queryset, not one query each."""
    few, many = make_tip(), make_tip()
    TipSource.objects.create(tip=few, title="Only", url="https://a.example/")
    for n in range(8):
        TipSource.objects.create(tip=many, title=f"Source {n}", url=f"https://{n}.example/")
    counts = []
    for tip in (few, many):
        client.get(tip.get_absolute_url())  # warm the counts kept per content version
        with CaptureQueriesContext(connection) as queries:
            assert client.get(tip.get_absolute_url() + "?comments=1").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_topics_notice_is_shown_on_its_tips_and_nowhere_else(client):
    notice = "General information, not medical advice."
    massage = make_category(topic=make_topic(name="Massage Therapy", notice=notice))
    cooking = make_category(topic=make_topic(name="Home Cooking"))
    on_topic, off_topic = make_tip(category=massage), make_tip(category=cooking)

    assert notice in client.get(on_topic.get_absolute_url()).content.decode()
    assert notice not in client.get(off_topic.get_absolute_url()).content.decode()
    assert "tip__notice" not in client.get(off_topic.get_absolute_url()).content.decode()


def test_the_gurus_credentials_stand_in_the_byline_and_on_the_gurus_page(client):
    guru = make_guru(name="Joe Wallace", credentials="Licensed massage therapist (LMT)")
    tip = make_tip(guru=guru)
    tip_text = text_of(client.get(tip.get_absolute_url()).content.decode())
    guru_text = text_of(client.get(guru.get_absolute_url()).content.decode())

    assert "By Joe Wallace, Licensed massage therapist (LMT) ·" in tip_text
    assert "Joe Wallace Licensed massage therapist (LMT)" in guru_text


def test_a_guru_without_credentials_has_a_plain_byline(client):
    tip = make_tip(guru=make_guru(name="Helen Bright"))
    text = text_of(client.get(tip.get_absolute_url()).content.decode())
    assert "By Helen Bright ·" in text


@pytest.mark.parametrize(
    ("yes", "no", "shown"),
    [
        (0, 0, None),
        (4, 0, None),
        (3, 1, None),
        (4, 1, "80% of 5 readers found this helpful."),
        (2, 1 + 6, "22% of 9 readers found this helpful."),
        (120, 0, "100% of 120 readers found this helpful."),
    ],
)
def test_readers_see_what_others_thought_once_five_have_voted(client, yes, no, shown):
    tip = make_tip()
    Tip.objects.filter(pk=tip.pk).update(helpful_yes=yes, helpful_no=no)
    html = client.get(tip.get_absolute_url()).content.decode()
    if shown:
        assert f'<p class="helpful__share">{shown}</p>' in html
    else:
        assert "found this helpful" not in html


def test_seed_demo_brings_the_new_demo_content_to_an_existing_database_once():
    """A database seeded by an earlier release gets the notice, colours, credentials and
    sources; a second run changes nothing, and nothing an editor wrote is overwritten."""
    call_command("seed_demo", stdout=io.StringIO())
    Topic.objects.update(notice="", colour="")
    Guru.objects.update(credentials="")
    TipSource.objects.all().delete()
    Guru.objects.filter(slug="helen-bright").update(credentials="Edited by an editor")

    call_command("seed_demo", stdout=io.StringIO())
    massage = Topic.objects.get(slug="massage-therapy")
    assert "general information, not medical advice" in massage.notice.lower()
    assert not Topic.objects.filter(colour="").exists()
    assert Topic.objects.exclude(slug="massage-therapy").filter(notice="").count() == 3
    assert Guru.objects.get(slug="joe-wallace").credentials.startswith("Licensed massage")
    assert Guru.objects.get(slug="helen-bright").credentials == "Edited by an editor"
    seed = Tip.objects.get(slug="neuromuscular-massage-therapy")
    assert seed.sources.count() == 3

    def snapshot():
        return (
            list(Topic.objects.values_list("notice", "colour").order_by("pk")),
            list(Guru.objects.values_list("credentials").order_by("pk")),
            list(TipSource.objects.values_list("pk", "tip", "position", "title", "url")),
        )

    before = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == before


def test_the_seed_tip_shows_its_sources_notice_and_credentials(client):
    call_command("seed_demo", stdout=io.StringIO())
    html = client.get(SEED_TIP).content.decode()
    text = text_of(html)
    assert len(sources_list(html)) == 3
    assert "General information, not medical advice" in text
    assert "By Joe Wallace, Licensed massage therapist (LMT), 15 years in practice" in text
