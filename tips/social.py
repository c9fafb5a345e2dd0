"""The pictures link previews show (``og:image``): one 1200×630 card per page, drawn once.

A card is named by a hash of everything drawn on it, so a page can name its card without
drawing it or asking the storage: the page links ``tips:social-card``, whose view draws the
card the first time anyone asks for it, keeps it in ``MEDIA_ROOT/social/`` and serves that
file ever after. A new title, topic name or colour is a new name, hence a new drawing; an
unchanged one is never drawn again, whatever else changes.
"""

import dataclasses
import hashlib
import io
import json
import logging
import textwrap
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont, ImageOps

from tipsite import addresses

from .models import Category, Guru, Tip, Topic

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
# Part of every card's name: a release that draws cards differently draws them all anew.
LAYOUT = 1
SITE_COLOUR = "#0b5d56"  # --ts-accent in static/css/site.css
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
MARGIN = 80


@dataclasses.dataclass(frozen=True)
class Card:
    """What one card shows. ``photo`` (a stored image's name) replaces the drawing."""

    kind: str
    pk: int
    title: str
    subtitle: str
    colour: str
    photo: str = ""

    @property
    def digest(self) -> str:
        drawn = [LAYOUT, self.title, self.subtitle, self.colour, self.photo, settings.SITE_NAME]
        return hashlib.sha256(json.dumps(drawn).encode()).hexdigest()[:20]

    @property
    def name(self) -> str:
        return f"social/{self.digest}.png"

    def get_absolute_url(self) -> str:
        return addresses.path("tips:social-card", kind=self.kind, pk=self.pk, digest=self.digest)


def card_for(obj) -> Card:
    """The card of a tip, topic, category or guru page, from what those pages already load."""
    if isinstance(obj, Tip):
        topic = obj.category.topic
        return Card("tip", obj.pk, obj.title, f"{topic.name} Tips", _colour(topic),
                    photo=obj.image.name if obj.image else "")  # fmt: skip
    if isinstance(obj, Category):
        return Card("category", obj.pk, obj.name, f"{obj.topic.name} Tips", _colour(obj.topic))
    if isinstance(obj, Topic):
        return Card("topic", obj.pk, f"{obj.name} Tip Site", obj.tagline, _colour(obj))
    if isinstance(obj, Guru):
        topics = list(obj.topics.all())  # prefetched by the guru page
        subtitle = obj.credentials or f"{settings.SITE_NAME} Guru"
        return Card("guru", obj.pk, obj.name, subtitle, _colour(topics[0] if topics else None))
    raise TypeError(f"no social card for {type(obj).__name__}")


def _colour(topic: Topic | None) -> str:
    return (topic.colour if topic else "") or SITE_COLOUR


def stored_card(card: Card) -> str:
    """The card's file in the default storage, drawn and saved if it is not there yet."""
    if not default_storage.exists(card.name):
        saved = default_storage.save(card.name, ContentFile(draw(card)))
        if saved != card.name:  # another request drew it at the same moment: keep one
            default_storage.delete(saved)
    return card.name


def draw(card: Card) -> bytes:
    image = _photo(card.photo) if card.photo else None
    if image is None:
        image = _drawing(card)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _photo(name: str) -> Image.Image | None:
    """The tip's own image, cropped to the card's shape; None if it cannot be read."""
    try:
        with default_storage.open(name) as file, Image.open(file) as photo:
            return ImageOps.fit(photo.convert("RGB"), (WIDTH, HEIGHT))
    except (OSError, ValueError):
        logger.warning("social card: cannot read %s, drawing instead", name)
        return None


def _drawing(card: Card) -> Image.Image:
    background = _rgb(card.colour)
    ink, soft = _inks(background)
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 70), f"✦ {settings.SITE_NAME}", font=_font(True, 40), fill=ink)

    size, lines = _fit_title(card.title)
    font = _font(True, size)
    line_height = round(size * 1.2)
    top = (HEIGHT - line_height * len(lines)) // 2
    for n, line in enumerate(lines):
        draw.text((MARGIN, top + n * line_height), line, font=font, fill=ink)

    subtitle = textwrap.shorten(card.subtitle, 60, placeholder="…")
    draw.line((MARGIN, HEIGHT - 140, MARGIN + 120, HEIGHT - 140), fill=soft, width=4)
    draw.text((MARGIN, HEIGHT - 115), subtitle, font=_font(False, 36), fill=soft)
    return image


def _fit_title(title: str) -> tuple[int, list[str]]:
    """The largest size at which the title takes at most three lines, shortened if need be."""
    for size in (72, 62, 52):
        lines = _wrap(title, _font(True, size))
        if len(lines) <= 3:
            return size, lines
    font, last = _font(True, size), " ".join(lines[2:])
    while " " in last and font.getlength(last + "…") > WIDTH - 2 * MARGIN:
        last = last.rsplit(" ", 1)[0]
    return size, [*lines[:2], last + "…"]


def _wrap(text: str, font) -> list[str]:
    """Words into lines no wider than the card's text column, by the font's own measure."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= WIDTH - 2 * MARGIN:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


@cache
def _font(bold: bool, size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:  # fonts-dejavu-core is not installed: Pillow's own font, plainer
        return ImageFont.load_default(size)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _inks(background: tuple[int, int, int]) -> tuple[str, str]:
    """Text colours that read on the background: white on dark colours, near-black on light."""
    red, green, blue = (c / 255 for c in background)
    if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5:
        return "#ffffff", "#e4ece9"
    return "#1d2421", "#3a4541"
