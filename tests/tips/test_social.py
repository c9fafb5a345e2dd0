"""Link previews: every tip, topic, category and guru page names a 1200×630 picture, drawn by
the site once per version of what it shows and served from the stored file after that."""

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from tests.factories import image_upload, make_category, make_guru, make_tip, make_topic
from tests.pages import SEED_TIP
from tests.tools import ARTIFACTS
from tips import social
from tips.models import Tip

pytestmark = pytest.mark.django_db

CARDS = ARTIFACTS / "social-cards"


def head_meta(html: str) -> dict[str, str]:
    head = html.split("</head>")[0]
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', head))


def fetch(client, absolute_url: str):
    return client.get(absolute_url.removeprefix("http://testserver"))


def png_of(response) -> Image.Image:
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def pages():
    topic = make_topic(name="Massage Therapy", colour="#2f5d62", tagline="Hands-on advice.")
    category = make_category(topic=topic, name="Techniques")
    guru = make_guru(name="Joe Wallace", credentials="Licensed massage therapist", topics=[topic])
    tip = make_tip(category=category, guru=guru, title="Neuromuscular Massage Therapy")
    return {
        "tip": tip.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "category": category.get_absolute_url(),
        "guru": guru.get_absolute_url(),
    }


def test_the_four_page_types_name_a_large_picture_for_link_previews(client, pages):
    for name, url in pages.items():
        meta = head_meta(client.get(url).content.decode())
        assert meta["twitter:card"] == "summary_large_image", name
        assert meta["og:title"], name
        assert meta["og:description"], name
        assert meta["og:url"] == f"http://testserver{url}", name
        assert meta["og:type"] == {"tip": "article", "guru": "profile"}.get(name, "website")
        assert meta["og:image"].startswith("http://testserver/social-cards/"), name
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
        assert meta["og:image:alt"], name
        card = fetch(client, meta["og:image"])
        assert card.status_code == 200, name
        assert card["Content-Type"] == "image/png"
        assert "immutable" in card["Cache-Control"]
        assert png_of(card).size == (1200, 630), name


def test_a_card_is_drawn_once_not_for_every_request(client, pages, monkeypatch, settings, tmp_path):
    """Two pages and two picture requests later, Pillow has drawn one card and written one file."""
    settings.MEDIA_ROOT = tmp_path  # no card drawn yet
    draws, writes = [], []
    draw, save = social.draw, default_storage.save
    monkeypatch.setattr(social, "draw", lambda card: draws.append(card) or draw(card))
    monkeypatch.setattr(
        default_storage, "save", lambda name, *a, **k: writes.append(name) or save(name, *a, **k)
    )
    image_urls = set()
    for _ in range(2):
        image = head_meta(client.get(pages["tip"] + "?comments=1").content.decode())["og:image"]
        image_urls.add(image)
        assert fetch(client, image).status_code == 200
    assert len(image_urls) == 1
    assert len(draws) == 1
    assert writes == [draws[0].name]
    assert [path.name for path in (tmp_path / "social").iterdir()] == [f"{draws[0].digest}.png"]


def test_a_new_title_draws_a_new_card_and_old_shares_still_get_a_picture(client, pages):
    tip = Tip.objects.get()
    before = head_meta(client.get(pages["tip"]).content.decode())["og:image"]
    tip.title = "Neuromuscular Therapy, Explained"
    tip.save()
    after = head_meta(client.get(pages["tip"]).content.decode())["og:image"]

    assert after != before
    assert fetch(client, before)["Location"] == after.removeprefix("http://testserver")
    assert social.card_for(tip).title == "Neuromuscular Therapy, Explained"


def test_the_card_changes_with_the_topics_colour_and_name_only(pages):
    tip = Tip.objects.select_related("category__topic").get()
    digest = social.card_for(tip).digest
    tip.body = "Another body."
    assert social.card_for(tip).digest == digest
    tip.category.topic.colour = "#7a2e1f"
    assert social.card_for(tip).digest != digest


def test_a_tip_with_an_image_shares_its_image_at_the_cards_size(client, editor_client):
    tip = make_tip()
    tip.image = default_storage.save("tips/photo.png", image_upload(size=(1600, 1200)))
    tip.image_alt = "Hands on a shoulder"
    tip.save()
    meta = head_meta(client.get(tip.get_absolute_url()).content.decode())
    card = png_of(fetch(client, meta["og:image"]))

    assert card.size == (1200, 630)
    assert card.convert("RGB").getpixel((600, 315)) == (51, 170, 119)  # the upload's #3a7
    assert meta["og:image:alt"] == "Hands on a shoulder"


def test_cards_exist_only_for_what_readers_may_see(client):
    draft = make_tip(status=Tip.Status.DRAFT)
    digest = social.card_for(draft).digest
    assert client.get(f"/social-cards/tip/{draft.pk}/{digest}.png").status_code == 404
    assert client.get(f"/social-cards/comment/1/{digest}.png").status_code == 404
    assert client.get(f"/social-cards/tip/999999/{digest}.png").status_code == 404


def test_the_seed_tips_card_is_kept_for_people_to_look_at(client):
    call_command("seed_demo", stdout=io.StringIO())
    meta = head_meta(client.get(SEED_TIP).content.decode())
    card = png_of(fetch(client, meta["og:image"]))
    assert card.size == (1200, 630)
    assert card.getpixel((5, 5)) == (47, 93, 98)  # Massage Therapy's #2f5d62
    CARDS.mkdir(parents=True, exist_ok=True)
    card.save(CARDS / "seed-tip.png")
    guru = head_meta(client.get("/gurus/joe-wallace/").content.decode())["og:image"]
    png_of(fetch(client, guru)).save(CARDS / "guru.png")


def test_a_card_is_drawn_without_the_dejavu_fonts_too(monkeypatch):
    """fonts-dejavu-core missing: Pillow's own font, still a whole card."""
    monkeypatch.setattr(social, "FONT_DIR", Path("/nonexistent"))
    social._font.cache_clear()
    try:
        card = social.Card("tip", 1, "A title long enough to wrap onto a second line " * 3,
                           "Massage Therapy Tips", "#f4e9d8")  # fmt: skip
        image = Image.open(io.BytesIO(social.draw(card)))
        assert image.size == (1200, 630)
    finally:
        social._font.cache_clear()


def test_share_links_need_no_third_party(client):
    """E-mail opens the reader's mail program with the title and link; the link is shown to copy
    (the script swaps it for a button); nothing is loaded from elsewhere."""
    tip = make_tip(title="Foam Rolling & Recovery", question="How often should I roll?")
    html = client.get(tip.get_absolute_url()).content.decode()
    url = f"http://testserver{tip.get_absolute_url()}"

    mailto = re.search(r'href="(mailto:[^"]+)"', html).group(1).replace("&amp;", "&")
    fields = parse_qs(urlsplit(mailto).query)
    assert fields["subject"] == ["Foam Rolling & Recovery"]
    assert fields["body"] == [f"How often should I roll?\n\n{url}"]
    assert f'data-copy-link="{url}" hidden>Copy link</button>' in html
    assert re.search(rf'<input id="share-link"[^>]*value="{re.escape(url)}" readonly>', html)
    assert '<script src="/static/js/share.js" defer></script>' in html
    assert not re.search(r'(src|href)="https?://(?!testserver)', html.split("<body")[0])


def test_the_print_stylesheet_leaves_out_forms_and_menus_and_prints_the_address(client):
    html = client.get(make_tip().get_absolute_url()).content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css">' in html
    assert re.search(r'<p class="print-only tip__address">Printed from http://testserver/', html)
    css = Path("static/css/print.css").read_text()
    assert "@media print" in css
    for hidden in (".site-header", ".helpful", ".share", ".comments", "form"):
        assert hidden in css.split("display: none")[0]
    assert 'a[href]::after { content: " (" attr(href) ")"' in css
